//! Plans in context on an index of the linked fixtures (`fixtures/links`): a
//! province plan (l1), the district plan implementing it (l2), two commune
//! plans implementing the district's (l3, l4), the district's year-end report
//! on it (l5), and a decoy: another district's plan with the same number and
//! date (every district has a `15/KH-UBND`), which the communes' citations
//! must not resolve to.

mod common;

use common::{json, root, run};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const FILES: &[&str] = &[
    "l1_tinh_kh25_kstthc_2024.txt",
    "l2_huyen_kh15_kstthc_2024.txt",
    "l3_xa_tanlap_kh08_kstthc_2024.txt",
    "l4_xa_dongphong_kh11_kstthc_2024.txt",
    "l5_huyen_bc210_ketqua_2024.txt",
];

/// Imports the linked fixtures and the decoy; returns plan ids by short name
/// (`l1` … `l5`, `decoy`).
fn index(dir: &Path) -> BTreeMap<String, String> {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    for f in FILES {
        std::fs::copy(root().join("fixtures/links").join(f), input.join(f)).unwrap();
    }
    let l2 = std::fs::read_to_string(root().join("fixtures/links").join(FILES[1])).unwrap();
    std::fs::write(
        input.join("decoy_huyen_phubinh_kh15.txt"),
        l2.replace("Yên Hòa", "Phú Bình")
            .replace("YÊN HÒA", "PHÚ BÌNH"),
    )
    .unwrap();
    let data = dir.join("data");
    let out = run(&["import", input.to_str().unwrap()], &data);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plans = json(&run(&["plans", "--json"], &data));
    let mut ids = BTreeMap::new();
    for p in plans.as_array().unwrap() {
        let path = p["file_path"].as_str().unwrap();
        let name = Path::new(path).file_name().unwrap().to_string_lossy();
        let short = name.split('_').next().unwrap().to_string();
        ids.insert(short, p["id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 6, "{ids:?}");
    ids
}

fn names(ids: &BTreeMap<String, String>, v: &Value) -> Vec<(u64, String)> {
    let by_id: BTreeMap<&str, &str> = ids.iter().map(|(k, v)| (v.as_str(), k.as_str())).collect();
    v.as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let id = l["plan"]["id"].as_str().unwrap_or("-");
            (
                l["level"].as_u64().unwrap(),
                by_id.get(id).map_or(id.to_string(), |s| s.to_string()),
            )
        })
        .collect()
}

fn pairs(list: &[(u64, &str)]) -> Vec<(u64, String)> {
    list.iter().map(|(l, n)| (*l, n.to_string())).collect()
}

#[test]
fn links_cites_and_cascades_on_the_linked_fixtures() {
    let tmp = tempfile::tempdir().unwrap();
    let ids = index(tmp.path());
    let data = tmp.path().join("data");
    let links = |name: &str, depth: &str| {
        json(&run(
            &["links", &ids[name], "--depth", depth, "--json"],
            &data,
        ))
    };

    // Upwards: l3 implements l2 (not the decoy), which implements l1.
    let l3 = links("l3", "3");
    assert_eq!(l3["plan"]["id"], ids["l3"]);
    assert_eq!(l3["plan"]["number"], "08/KH-UBND");
    let resolved: Vec<(u64, String)> = names(&ids, &l3["implements"])
        .into_iter()
        .filter(|(_, n)| n != "-")
        .collect();
    assert_eq!(resolved, pairs(&[(1, "l2"), (2, "l1")]));
    let first = &l3["implements"][0];
    assert_eq!(first["status"], "not_imported");
    assert_eq!(first["reference"]["number"], "61/2018/NĐ-CP");
    assert_eq!(first["from"], ids["l3"]);
    let to_l2 = &l3["implements"][1];
    assert_eq!(to_l2["status"], "resolved");
    assert_eq!(to_l2["reference"]["relation"], "implements");
    assert_eq!(to_l2["reference"]["issuer"], "Chủ tịch UBND huyện Yên Hòa");
    assert_eq!(to_l2["plan"]["issuer"], "UBND huyện Yên Hòa");

    // Downwards from l1: l2 and the decoy, the communes under l2 only; the report apart.
    let l1 = links("l1", "3");
    assert!(l1["implements"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["status"] == "not_imported"));
    assert_eq!(
        names(&ids, &l1["implemented_by"]),
        pairs(&[(1, "decoy"), (1, "l2"), (2, "l3"), (2, "l4")])
    );
    assert_eq!(names(&ids, &l1["reports"]), pairs(&[(2, "l5")]));
    assert_eq!(l1["reports"][0]["to"], ids["l2"]);
    // Depth 1 stops at the plans citing l1.
    let l1 = links("l1", "1");
    assert_eq!(
        names(&ids, &l1["implemented_by"]),
        pairs(&[(1, "decoy"), (1, "l2")])
    );
    assert!(l1["reports"].as_array().unwrap().is_empty());

    // The district plan, both ways; the decoy has nothing below it.
    let l2 = links("l2", "3");
    assert_eq!(
        names(&ids, &l2["implements"])
            .into_iter()
            .filter(|(_, n)| n != "-")
            .collect::<Vec<_>>(),
        pairs(&[(1, "l1")])
    );
    assert_eq!(
        names(&ids, &l2["implemented_by"]),
        pairs(&[(1, "l3"), (1, "l4")])
    );
    assert_eq!(names(&ids, &l2["reports"]), pairs(&[(1, "l5")]));
    let decoy = links("decoy", "3");
    assert!(decoy["implemented_by"].as_array().unwrap().is_empty());
    assert!(decoy["reports"].as_array().unwrap().is_empty());

    // The report reports on l2.
    let l5 = links("l5", "1");
    let on: Vec<&Value> = l5["implements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "resolved")
        .collect();
    assert_eq!(on.len(), 1);
    assert_eq!(on[0]["plan"]["id"], ids["l2"]);

    // The readable form names both directions.
    let out = run(&["links", &ids["l2"]], &data);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "Implements:",
        "Implemented by:",
        "Reports:",
        "08/KH-UBND",
        "210/BC-UBND",
        "25/KH-UBND",
    ] {
        assert!(text.contains(want), "{want} in\n{text}");
    }
    assert!(!run(&["links", &ids["l2"], "--depth", "0"], &data)
        .status
        .success());

    // cites: the tasks of the plans citing a number (basis or task references).
    let search = |q: &str| {
        let v = json(&run(&["search", q, "--json", "--limit", "100"], &data));
        let mut got: Vec<String> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["plan"]["id"].as_str().unwrap().to_string())
            .collect();
        got.dedup();
        let by_id: BTreeMap<&str, &str> =
            ids.iter().map(|(k, v)| (v.as_str(), k.as_str())).collect();
        let mut names: Vec<String> = got.iter().map(|i| by_id[i.as_str()].to_string()).collect();
        names.sort();
        names.dedup();
        names
    };
    assert_eq!(search("cites:15/KH-UBND"), ["l3", "l4"]);
    assert_eq!(search("cites:15/kh- ubnd"), Vec::<String>::new()); // two words: `ubnd` is a word
    assert_eq!(search("cites:15/kh-ubnd hài lòng"), ["l3", "l4"]);
    assert_eq!(search("cites:25/KH-UBND"), ["decoy", "l2"]);
    assert_eq!(search("cites:61/2018/ND-CP"), ["l1", "l3"]);
    assert!(!run(&["search", "-cites:15/KH-UBND"], &data)
        .status
        .success());

    // Targets down the hierarchy.
    let v = json(&run(&["targets", "hài lòng", "--cascade", "--json"], &data));
    let cascades = v["cascades"].as_array().unwrap();
    assert_eq!(cascades.len(), 1, "{v}");
    let by_id: BTreeMap<&str, &str> = ids.iter().map(|(k, v)| (v.as_str(), k.as_str())).collect();
    let levels: Vec<(u64, &str, f64, Option<&str>)> = cascades[0]["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["level"].as_u64().unwrap(),
                by_id[l["plan"]["id"].as_str().unwrap()],
                l["value"].as_f64().unwrap(),
                l["compared"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        levels,
        [
            (0, "l1", 90.0, None),
            (1, "decoy", 90.0, Some("equal")),
            (1, "l2", 90.0, Some("equal")),
            (2, "l3", 92.0, Some("stricter")),
            (2, "l4", 90.0, Some("equal")),
        ]
    );
    let v = json(&run(
        &["targets", "đúng hạn", "--cascade", "--json", "--depth", "2"],
        &data,
    ));
    let l = &v["cascades"][0]["levels"];
    let l4 = l
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["plan"]["id"] == ids["l4"].as_str())
        .unwrap();
    assert_eq!(
        (l4["value"].as_f64(), l4["compared"].as_str()),
        (Some(90.0), Some("looser"))
    );
    assert_eq!(l4["op"], ">=");
    let out = run(&["targets", "đúng hạn", "--cascade"], &data);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("looser") && text.contains("vs above"),
        "{text}"
    );
}
