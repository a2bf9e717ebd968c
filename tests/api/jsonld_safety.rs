//! JSON-LD is pasted by sites into `<script type="application/ld+json">`:
//! what the API serves there must not be able to close the element, whatever
//! a submitter wrote, and must still parse back to what they wrote.

use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::TestApp;

fn a_hostile_job_posting_cannot_leave_its_script_element(app: &TestApp) {
    let editor = app.editor();
    let title = "</script><script>alert(1)</script>\u{2028}Vendeur\u{2029}se";
    let company = "Dupont & Fils <SARL>";
    let res = app
        .post("/api/v1/jobs")
        .bearer(&editor.token)
        .json(&json!({
            "title": title,
            "company": {"name": company},
            "location": {"city": "Quimper", "postal_code": "29000"},
            "contract_type": "cdi",
            "working_time": "full_time",
            "description": "Salaire > SMIC & primes, **vraiment**.",
            "apply": {"email": "emploi@dupont.example"},
            "status": "published"
        }))
        .send();
    assert_eq!(res.status, 201, "{}", res.text());
    let path = format!("/api/v1/jobs/{}/jsonld", res.json()["id"].as_str().unwrap());

    let ld = app.get(&path).send();
    assert_eq!(ld.status, 200, "{}", ld.text());
    assert_eq!(ld.header("content-type"), Some("application/ld+json"));
    let body = ld.text();
    for raw in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
        assert!(!body.contains(raw), "{raw:?} is raw in {body}");
    }
    assert!(!body.to_lowercase().contains("</script"), "{body}");

    // escaped, not altered: it parses back to what was written
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["title"], title);
    assert_eq!(doc["hiringOrganization"]["name"], company);
    let description = doc["description"].as_str().unwrap();
    assert!(
        description.contains("<strong>vraiment</strong>"),
        "{description}"
    );
    assert!(
        description.contains("&gt; SMIC &amp; primes"),
        "{description}"
    );

    // the ETag still revalidates the document
    let etag = ld.header("etag").unwrap().to_string();
    let again = app.get(&path).header("If-None-Match", &etag).send();
    assert_eq!(again.status, 304);
}

db_tests!(a_hostile_job_posting_cannot_leave_its_script_element);
