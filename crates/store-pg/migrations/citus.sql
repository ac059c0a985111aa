-- Applied by `kehoach db init --distributed` when the citus extension is
-- available (after 001_schema.sql). Plans are distributed by id; tasks,
-- targets and warnings by plan id, co-located with plans, so that one plan's
-- rows, its cascading deletes and the search joins stay on one node. The
-- small tables are reference tables, copied to every node.
CREATE EXTENSION IF NOT EXISTS citus;
SELECT create_distributed_table('plans', 'id');
SELECT create_distributed_table('tasks', 'plan_id', colocate_with => 'plans');
SELECT create_distributed_table('targets', 'plan_id', colocate_with => 'plans');
SELECT create_distributed_table('warnings', 'plan_id', colocate_with => 'plans');
SELECT create_reference_table('term_stats');
SELECT create_reference_table('kehoach_schema');
-- The functions the searches call run on the workers too.
SELECT create_distributed_function('kehoach_phrase_freq(text[], text[])');
SELECT create_distributed_function('kehoach_fold(text)');
