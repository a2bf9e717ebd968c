fn main() {
    // Migrations are embedded in the binary: rebuild when they change.
    println!("cargo:rerun-if-changed=migrations");
    // The PostgreSQL half of the test suite is compiled as `ignored` unless a
    // PostgreSQL server is named, so a SQLite-only run reports what it skipped.
    println!("cargo:rustc-check-cfg=cfg(kiosque_pg)");
    println!("cargo:rerun-if-env-changed=KIOSQUE_TEST_POSTGRES_URL");
    if std::env::var("KIOSQUE_TEST_POSTGRES_URL").is_ok_and(|v| !v.trim().is_empty()) {
        println!("cargo:rustc-cfg=kiosque_pg");
    }
    // Likewise the S3 half of the media tests, without an S3-compatible server.
    println!("cargo:rustc-check-cfg=cfg(kiosque_s3)");
    println!("cargo:rerun-if-env-changed=KIOSQUE_TEST_S3_URL");
    if std::env::var("KIOSQUE_TEST_S3_URL").is_ok_and(|v| !v.trim().is_empty()) {
        println!("cargo:rustc-cfg=kiosque_s3");
    }
}
