//! `AD_DUMP=<fn>` (or `AD_DUMP=*`): prints the IR of the named function after each
//! pass, and what its reverse sweep records or recomputes, to stderr at compile
//! time. For understanding what the macro made of a function, not for tests.

use crate::analysis::record::Record;
use crate::ir::Function;

fn wanted(name: &str) -> bool {
    std::env::var("AD_DUMP").is_ok_and(|dump| dump == "*" || dump.split(',').any(|n| n == name))
}

pub fn dump_ir(name: &str, pass: &str, func: &Function) {
    if wanted(name) {
        eprintln!("// #[differentiate] {name}: IR after {pass}\n{func}\n");
    }
}

pub fn dump_record(name: &str, func: &Function, record: &Record) {
    if !wanted(name) {
        return;
    }
    for region in func.regions.keys() {
        let (recorded, recomputed) = (record.snapshot(region), record.recompute(region));
        if !recorded.is_empty() || !recomputed.is_empty() {
            eprintln!(
                "// #[differentiate] {name}: {region} records {recorded:?} and its reverse recomputes {recomputed:?}"
            );
        }
    }
}
