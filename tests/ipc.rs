//! The shell's commands through Tauri's IPC, on the mock runtime (no
//! display needed): the same JSON in and out as the `bookrun` CLI, errors as
//! `{code, message}`, and events recorded for notification.

use bookrun_desktop::state::Db;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

fn window(
    db: Db,
) -> (
    tauri::App<tauri::test::MockRuntime>,
    WebviewWindow<tauri::test::MockRuntime>,
) {
    let app = bookrun_desktop::build(mock_builder(), db)
        .build(mock_context(noop_assets()))
        .unwrap();
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    (app, w)
}

fn invoke(
    w: &WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

#[test]
fn commands_answer_through_ipc_like_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("ipc.db"), true).unwrap();
    let (_app, w) = window(db);
    let deals = invoke(&w, "list_deals", json!({})).unwrap();
    assert_eq!(deals[0]["title"], "Cars");
    assert_eq!(deals[0]["level"], 1);
    let deal = invoke(&w, "get_deal", json!({"deal_id": deals[0]["id"]})).unwrap();
    assert_eq!(deal["current_prices"], json!(["29500.00", "24800.00"]));
    let err = invoke(&w, "get_deal", json!({"deal_id": 999})).unwrap_err();
    assert_eq!(err["code"], "not_found");
    let err = invoke(
        &w,
        "book",
        json!({"deal_id": 1, "participant_id": 1, "item": "model #1", "quantity": 0}),
    )
    .unwrap_err();
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("quantity"))
    );
    let err = invoke(&w, "list_deals", json!([1])).unwrap_err();
    assert_eq!(err["code"], "usage");
}

#[test]
fn events_are_delivered_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("ipc.db"), true).unwrap();
    let (_app, w) = window(db);
    // The demo's events were delivered at start-up (setup) or by the first call.
    invoke(&w, "list_deals", json!({})).unwrap();
    let history = invoke(&w, "notifications", json!({})).unwrap();
    assert!(!history.as_array().unwrap().is_empty());
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["delivered"] == true),
        "{history}"
    );
}

#[test]
fn the_toolbox_answers_through_ipc() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("ipc.db"), true).unwrap();
    let (_app, w) = window(db);
    // The demo deal "Cars" is at tier 1 with 4 approved.
    let order = invoke(&w, "merchant_order", json!({"deal_id": 1})).unwrap();
    assert_eq!(order["total"], "103900.00");
    let share = invoke(&w, "share_text", json!({"deal_id": 1})).unwrap();
    assert!(share["text"].as_str().unwrap().contains("4 units booked"));
    let p = invoke(
        &w,
        "preview_signups",
        json!({"deal_id": 1, "csv": "name,item,quantity\nZoe,model #5,1\n"}),
    )
    .unwrap();
    assert_eq!(p["summary"]["new_participants"], 1);
    // The window never names a file: a path it sends is refused...
    let path = dir.path().join("order.csv");
    let err = invoke(
        &w,
        "export_merchant_order",
        json!({"deal_id": 1, "format": "csv", "path": path.to_str().unwrap()}),
    )
    .unwrap_err();
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("path"))
    );
    assert!(!path.exists());
    // ...the system's save dialog chooses it (answered here, in a debug
    // build, through BOOKRUN_TEST_DIALOGS), with the page's suggested name.
    let answers = dir.path().join("dialogs");
    std::fs::create_dir(&answers).unwrap();
    std::fs::write(answers.join("save-dir"), dir.path().to_str().unwrap()).unwrap();
    std::env::set_var("BOOKRUN_TEST_DIALOGS", &answers);
    let r = invoke(
        &w,
        "export_merchant_order",
        json!({"deal_id": 1, "format": "csv", "file_name": "../order.csv"}),
    )
    .unwrap();
    assert_eq!(r["rows"], 2);
    assert_eq!(r["path"], path.to_str().unwrap());
    let err = invoke(
        &w,
        "export_merchant_order",
        json!({"deal_id": 1, "format": "doc", "file_name": "order"}),
    )
    .unwrap_err();
    assert_eq!(err["field"], "format");
    // No answer for the open dialog: the organizer cancelled, nothing happens.
    assert_eq!(invoke(&w, "restore", json!({})).unwrap(), Value::Null);
}

/// A deal that closed while the window was open is settled by the next
/// command the window sends, even one that only reads: the window is told
/// (`bookrun://changed`), as its views refresh only after a command that
/// succeeds (a notification alone no longer refreshes them).
#[test]
fn a_settlement_by_a_window_command_tells_the_window() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use tauri::Listener;

    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("ipc.db"), false).unwrap();
    // Made an hour ago, closed a minute ago: after the database was opened
    // (which settles what is overdue then).
    let now = bookrun::clock::system_now();
    let then = now - std::time::Duration::from_secs(3600);
    let closes = bookrun::clock::format(now - std::time::Duration::from_secs(60));
    {
        let mut conn = db.lock();
        let mut run =
            |name: &str, args: Value| bookrun::execute(&mut conn, name, args, then).unwrap();
        let ann = run("add_participant", json!({"name": "Ann"}))["id"].clone();
        let deal = run(
            "create_deal",
            json!({"title": "Jam", "currency": "EUR", "closes_at": closes, "min_qty": 1,
                   "payment": {"mode": "full"}, "approval": "auto",
                   "items": [{"name": "jar", "base_price": "4.00"}]}),
        )["id"]
            .clone();
        run("open_deal", json!({ "deal_id": deal }));
        run(
            "book",
            json!({"deal_id": deal, "participant_id": ann, "item": "jar", "quantity": 1}),
        );
    }
    let (app, w) = window(db);
    let changed = Arc::new(AtomicUsize::new(0));
    let seen = changed.clone();
    app.listen_any(bookrun_desktop::watch::CHANGED, move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let deals = invoke(&w, "list_deals", json!({})).unwrap();
    assert_eq!(deals[0]["status"], "settled", "{deals}");
    assert_eq!(changed.load(Ordering::SeqCst), 1);
    // Nothing more to settle: a second read says nothing.
    invoke(&w, "list_deals", json!({})).unwrap();
    assert_eq!(changed.load(Ordering::SeqCst), 1);
}
