#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| threatbench::fuzzing::facts_bundle(data));
