//! `ad-gradbench`: `ad` as a GradBench tool (see the README's GradBench section).
//!
//! Reads one JSON message per line on stdin and writes one JSON response per line on
//! stdout, flushed, until end of input; then exits with status 0. Diagnostics go to
//! stderr.

use std::io::{BufRead, Write};

fn main() {
    let stdin = std::io::stdin();
    let mut stdin = stdin.lock();
    let stdout = std::io::stdout();
    let mut stdout = std::io::BufWriter::new(stdout.lock());
    let mut line = Vec::new();
    loop {
        line.clear();
        match stdin.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("ad-gradbench: cannot read stdin: {e}");
                break;
            }
        }
        let response = gradbench_tool::protocol::respond(&line);
        let written = serde_json::to_writer(&mut stdout, &response)
            .map_err(std::io::Error::from)
            .and_then(|()| stdout.write_all(b"\n"))
            .and_then(|()| stdout.flush());
        if let Err(e) = written {
            eprintln!("ad-gradbench: cannot write stdout: {e}");
            break;
        }
    }
}
