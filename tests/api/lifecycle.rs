//! The real binary: start-up on a fresh SQLite file, and a graceful stop.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let dir = std::env::temp_dir().join(format!("kiosque-lifecycle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_kiosque"))
        .arg("serve")
        .env("KIOSQUE_ADDR", format!("127.0.0.1:{port}"))
        .env("KIOSQUE_DATA_DIR", &dir)
        .env("KIOSQUE_WORKERS", "1")
        .env_remove("DATABASE_URL")
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut ready = false;
    while started.elapsed() < Duration::from_secs(20) {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                ready = true;
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(ready, "the server became ready on a fresh SQLite database");
    assert!(
        dir.join("kiosque.db").exists(),
        "the database file was created under the data folder"
    );

    // a request whose body is still arriving when the stop is asked for
    let body = br#"{"name": "Sport"}"#;
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        slow,
        "POST /api/v1/sections HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    slow.write_all(&body[..5]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(server.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    // wait until the stop has begun: the listener is closed to new clients
    let stopping = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(
            stopping.elapsed() < Duration::from_secs(10),
            "the server kept accepting after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    slow.write_all(&body[5..]).unwrap();
    let mut answer = String::new();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    slow.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "the request in flight got its answer (sign in first): {answer}"
    );

    let status = server.wait().unwrap();
    assert!(
        status.success(),
        "a graceful stop exits cleanly: {status:?}"
    );
    let mut log = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(log.contains("Kiosque listens on http://127.0.0.1"), "{log}");
    assert!(
        log.contains("create-user"),
        "the start-up says how to get an admin"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
