//! SVG charts of target timelines: years across, target values up, one line
//! per series, each labelled at its end (no legend to hunt through).

use crate::series::{clip, op_symbol, Series};
use crate::{Error, Result};
use plotters::prelude::*;
use std::path::Path;

/// Chart size in pixels.
const WIDTH: u32 = 1100;
const HEIGHT: u32 = 620;
/// Room on the right for the line labels.
const LABEL_ROOM: u32 = 300;

/// Line colours, distinct and readable on white.
const COLOURS: &[RGBColor] = &[
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

fn chart_err(e: impl std::fmt::Display) -> Error {
    Error::Chart(e.to_string())
}

/// The series to draw: those with a (plausible) year, in the most common unit.
fn drawable(series: &[Series]) -> (Vec<Series>, String) {
    let mut units: Vec<(String, usize)> = Vec::new();
    for s in series {
        match units.iter_mut().find(|(u, _)| *u == s.unit) {
            Some((_, n)) => *n += s.points.len(),
            None => units.push((s.unit.clone(), s.points.len())),
        }
    }
    let unit = units
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|(u, _)| u.clone())
        .unwrap_or_default();
    let out = series
        .iter()
        .filter(|s| s.unit == unit)
        .map(|s| {
            let mut s = s.clone();
            // Plausible years only (keeps the axis arithmetic far from overflow).
            s.points.retain(|p| {
                p.year.is_some_and(|y| (1900..=2200).contains(&y)) && p.target.value.is_finite()
            });
            s
        })
        .filter(|s| !s.points.is_empty())
        .collect();
    (out, unit)
}

/// Draws `series` as an SVG document titled `title`.
pub fn svg(series: &[Series], title: &str) -> Result<String> {
    let (series, unit) = drawable(series);
    if series.is_empty() {
        return Err(Error::Chart("no targets with a year to draw".into()));
    }
    let years: Vec<i32> = series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|p| p.year))
        .collect();
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.target.value))
        .collect();
    let (y0, y1) = (
        years.iter().min().copied().unwrap_or(2020),
        years.iter().max().copied().unwrap_or(2020),
    );
    let (vmin, vmax) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let (lo, hi) = value_range(vmin, vmax, &unit);

    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(clip(title, 90), ("sans-serif", 22))
            .margin(16)
            .margin_right(LABEL_ROOM)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d((y0 - 1)..(y1 + 1), lo..hi)
            .map_err(chart_err)?;
        let year_fmt = |y: &i32| y.to_string();
        let unit_label = if unit.is_empty() {
            String::new()
        } else {
            format!(" ({unit})")
        };
        let value_fmt = |v: &f64| kehoach_diff::fmt_num((v * 100.0).round() / 100.0);
        chart
            .configure_mesh()
            .x_labels(usize::try_from(y1 - y0 + 3).unwrap_or(3).min(16))
            .x_label_formatter(&year_fmt)
            .y_label_formatter(&value_fmt)
            .x_desc("Năm")
            .y_desc(format!("Chỉ tiêu{unit_label}"))
            .label_style(("sans-serif", 15))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()
            .map_err(chart_err)?;

        let mut ends: Vec<(i32, RGBColor, String, (i32, i32))> = Vec::new();
        for (k, s) in series.iter().enumerate() {
            let colour = COLOURS[k % COLOURS.len()];
            let pts: Vec<(i32, f64)> = s
                .points
                .iter()
                .filter_map(|p| p.year.map(|y| (y, p.target.value)))
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(3)))
                .map_err(chart_err)?;
            chart
                .draw_series(
                    pts.iter()
                        .map(|&(x, y)| Circle::new((x, y), 5, colour.filled())),
                )
                .map_err(chart_err)?;
            // Each point's target, just above it.
            chart
                .draw_series(s.points.iter().filter_map(|p| {
                    let y = p.year?;
                    let label = format!(
                        "{}{}",
                        op_symbol(p.target.op),
                        kehoach_diff::fmt_num(p.target.value)
                    );
                    Some(
                        EmptyElement::at((y, p.target.value))
                            + Text::new(
                                label,
                                (6, -20),
                                ("sans-serif", 13).into_font().color(&colour),
                            ),
                    )
                }))
                .map_err(chart_err)?;
            if let Some(&last) = pts.last() {
                let at = chart.backend_coord(&last);
                ends.push((at.1, colour, clip(&s.label, 38), at));
            }
        }
        // Labels in the right margin at the height of each line's end, pushed
        // apart so they never overlap, with a leader line from the end point.
        ends.sort_by_key(|e| e.0);
        let label_x = i32::try_from(WIDTH - LABEL_ROOM).unwrap_or(800) + 24;
        let mut next_free = i32::MIN;
        for (y, colour, label, at) in ends {
            let y = y.max(next_free);
            next_free = y + 18;
            root.draw(&plotters::element::DashedPathElement::new(
                vec![(at.0 + 6, at.1), (label_x - 4, y)],
                3,
                4,
                colour.mix(0.45),
            ))
            .map_err(chart_err)?;
            root.draw(&Text::new(
                label,
                (label_x, y - 8),
                ("sans-serif", 15).into_font().color(&colour),
            ))
            .map_err(chart_err)?;
        }
        root.present().map_err(chart_err)?;
    }
    Ok(buf)
}

/// The value axis: 0..100 style ranges for percentages, padded otherwise.
fn value_range(vmin: f64, vmax: f64, unit: &str) -> (f64, f64) {
    if !vmin.is_finite() || !vmax.is_finite() {
        return (0.0, 100.0);
    }
    let pad = ((vmax - vmin) * 0.15).max(5.0);
    let mut lo = ((vmin - pad) / 10.0).floor() * 10.0;
    let mut hi = ((vmax + pad) / 10.0).ceil() * 10.0;
    if unit == "%" {
        lo = lo.max(0.0);
        hi = hi.min(105.0).max(lo + 10.0);
    }
    if vmin >= 0.0 {
        lo = lo.max(0.0);
    }
    (lo, hi)
}

/// Writes the chart to `path`: `.svg` is drawn directly; other extensions are
/// refused with a message (a PNG would need system fonts to draw the text).
pub fn write_chart(path: &Path, series: &[Series], title: &str) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "svg" => {
            let doc = svg(series, title)?;
            std::fs::write(path, doc)?;
            Ok(())
        }
        "png" => Err(Error::Unsupported(format!(
            "{}: PNG charts are not supported by this build (they would depend on system fonts); \
             write an .svg file instead and convert it if needed (e.g. `rsvg-convert -o chart.png chart.svg`)",
            path.display()
        ))),
        _ => Err(Error::Unsupported(format!("{}: the chart file must end in .svg", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_ranges_stay_in_bounds() {
        assert_eq!(value_range(85.0, 95.0, "%"), (80.0, 100.0));
        assert_eq!(value_range(100.0, 100.0, "%"), (90.0, 105.0));
        assert_eq!(value_range(f64::NAN, 1.0, "%"), (0.0, 100.0));
    }

    #[test]
    fn nothing_to_draw_is_an_error() {
        assert!(matches!(svg(&[], "x"), Err(Error::Chart(_))));
    }
}
