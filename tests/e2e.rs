//! End-to-end: the real `bookrun-desktop` window, driven through
//! tauri-driver and WebKitWebDriver under Xvfb, inside the D-Bus session that
//! `scripts/test` starts (`dbus-run-session`), with `dbus-monitor` recording
//! the native notifications. Screenshots go to `target/screenshots/`.
//!
//! Needs: Xvfb, WebKitWebDriver (webkit2gtk-driver), tauri-driver, dunst,
//! dbus-monitor. `scripts/test` installs them and runs this test; a plain
//! `cargo test` leaves it out (it is `#[ignore]`d for lack of a display).

use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use serde_json::{json, Value};
use std::net::TcpStream;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(15);

/// A child process in its own process group, killed with the whole group
/// when the test ends, however it ends (tauri-driver's WebKitWebDriver
/// outlived a failed run).
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(name: &str, cmd: &mut Command) -> Proc {
    use std::os::unix::process::CommandExt;
    let child = cmd.process_group(0).spawn().unwrap_or_else(|e| {
        panic!("cannot start {name} ({e}): run scripts/test, which installs it")
    });
    Proc(child)
}

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_bookrun-desktop"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_port(port: u16, what: &str) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < WAIT,
            "{what} did not listen on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The desktop session: Xvfb, a notification daemon, dbus-monitor,
/// tauri-driver, and the app on a fresh database.
struct Desktop {
    db: PathBuf,
    dialogs: PathBuf,
    dbus_log: PathBuf,
    shots: PathBuf,
    driver_port: u16,
    _procs: Vec<Proc>,
    _dir: tempfile::TempDir,
}

impl Desktop {
    fn start() -> Desktop {
        assert!(
            std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
            "no D-Bus session: run this test inside dbus-run-session (scripts/test does)"
        );
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("e2e.db");
        let dbus_log = dir.path().join("dbus.log");
        let dialogs = dir.path().join("dialogs");
        std::fs::create_dir(&dialogs).unwrap();
        let shots = target_dir().join("../screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        let display = format!(":{}", 90 + std::process::id() % 100);
        let mut procs = vec![spawn(
            "Xvfb",
            Command::new("Xvfb")
                .args([&display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
                .stderr(Stdio::null()),
        )];
        std::env::set_var("DISPLAY", &display);
        std::thread::sleep(Duration::from_millis(500));
        procs.push(spawn(
            "dbus-monitor",
            Command::new("dbus-monitor")
                .args(["--session", "interface='org.freedesktop.Notifications'"])
                .stdout(std::fs::File::create(&dbus_log).unwrap()),
        ));
        procs.push(spawn(
            "dunst",
            Command::new("dunst")
                .stderr(Stdio::null())
                .stdout(Stdio::null()),
        ));
        let driver_port = free_port();
        let native_port = free_port();
        let tauri_driver = which("tauri-driver");
        procs.push(spawn(
            "tauri-driver",
            Command::new(tauri_driver)
                .args([
                    "--port",
                    &driver_port.to_string(),
                    "--native-port",
                    &native_port.to_string(),
                ])
                .env("BOOKRUN_DB", &db)
                .env("BOOKRUN_TEST_DIALOGS", &dialogs)
                .stdout(Stdio::null()),
        ));
        wait_port(driver_port, "tauri-driver");
        Desktop {
            db,
            dialogs,
            dbus_log,
            shots,
            driver_port,
            _procs: procs,
            _dir: dir,
        }
    }

    async fn window(&self) -> Client {
        let caps = json!({
            "browserName": "wry",
            "tauri:options": {
                "application": env!("CARGO_BIN_EXE_bookrun-desktop"),
                "args": ["--db", self.db.to_str().unwrap()]
            }
        });
        let caps = caps.as_object().unwrap().clone();
        ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.driver_port))
            .await
            .expect("connect to tauri-driver")
    }

    /// Runs the `bookrun` CLI on the same database.
    fn cli(&self, command: &str, args: Value) -> Value {
        let bin = target_dir().join("bookrun");
        let out = Command::new(&bin)
            .arg("--db")
            .arg(&self.db)
            .args([command, &args.to_string()])
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {} ({e}): build it with cargo build -p bookrun",
                    bin.display()
                )
            });
        assert!(
            out.status.success(),
            "bookrun {command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Answers the system's file dialogs, which the shell opens from Rust (a
    /// GTK window WebDriver cannot drive): saves go to `dir` under the
    /// suggested name, an open dialog picks `open` (none: it is cancelled).
    /// Debug builds read these answers (`src-tauri/src/dialogs.rs`).
    fn answer_dialogs(&self, dir: &Path, open: Option<&Path>) {
        std::fs::write(self.dialogs.join("save-dir"), dir.to_str().unwrap()).unwrap();
        let open_answer = self.dialogs.join("open-path");
        match open {
            Some(p) => std::fs::write(open_answer, p.to_str().unwrap()).unwrap(),
            None => {
                let _ = std::fs::remove_file(open_answer);
            }
        }
    }

    fn dbus(&self) -> String {
        std::fs::read_to_string(&self.dbus_log).unwrap_or_default()
    }

    /// A screenshot of what the page shows now: taken after two painted
    /// frames, as WebKit's snapshot can be of a frame before the last change
    /// (the bank review was shot still showing the previous preview).
    async fn shot(&self, c: &Client, name: &str) {
        c.execute_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));",
            vec![],
        )
        .await
        .unwrap();
        let png = c.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }
}

fn which(name: &str) -> PathBuf {
    let home_bin = std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin").join(name));
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .chain(home_bin)
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is not installed: run scripts/test, which installs it"))
}

fn css(s: &str) -> Locator<'_> {
    Locator::Css(s)
}

fn test_id(id: &str) -> String {
    format!("[data-test=\"{id}\"]")
}

/// Waits for `selector` to find an element (while the page re-renders, a
/// lookup may meet a node being replaced: that is retried too).
async fn find(c: &Client, selector: &str) -> Element {
    let start = Instant::now();
    loop {
        match c.find(css(selector)).await {
            Ok(e) => return e,
            Err(e) if start.elapsed() > WAIT => panic!("{selector} did not appear: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Whether an action failed only because the page re-rendered the element
/// under it (the window refreshes on every change): then it is retried.
fn is_stale(e: &CmdError) -> bool {
    matches!(e, CmdError::Standard(w) if w.error == ErrorStatus::StaleElementReference)
}

/// Runs `action` on the element `selector` finds, finding it again while the
/// page replaces it.
async fn on_element<F, Fut>(c: &Client, selector: &str, action: F)
where
    F: Fn(Element) -> Fut,
    Fut: std::future::Future<Output = Result<(), CmdError>>,
{
    let start = Instant::now();
    loop {
        match action(find(c, selector).await).await {
            Ok(()) => return,
            Err(e) if is_stale(&e) && start.elapsed() < WAIT => {}
            Err(e) => panic!("{selector}: {e}"),
        }
    }
}

async fn click(c: &Client, selector: &str) {
    on_element(c, selector, |e| async move {
        match e.clone().click().await {
            // WebKitWebDriver's hit test does not see into a modal <dialog>'s
            // top layer (or a toast may cover the spot): click as the page would.
            Err(CmdError::Standard(w)) if w.error == ErrorStatus::ElementClickIntercepted => {
                let arg = serde_json::to_value(&e).unwrap();
                e.client()
                    .execute(
                        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();",
                        vec![arg],
                    )
                    .await
                    .map(|_| ())
            }
            other => other,
        }
    })
    .await;
}

/// What the page shows around `selector`, for a message when a click had no
/// effect: the error region, the toasts, the element's box and what is at
/// its centre now.
async fn page_state(c: &Client, selector: &str) -> Value {
    js(
        c,
        "const e = document.querySelector(arguments[0]);
         const r = e?.getBoundingClientRect();
         const at = r ? document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) : null;
         return {
           error: document.getElementById('error')?.innerText ?? '',
           toasts: [...document.querySelectorAll('[data-test=toast]')].map((t) => t.innerText),
           element: r ? [r.x, r.y, r.width, r.height] : null,
           busy: !!e && (e.disabled || e.getAttribute('aria-busy') === 'true'),
           at_its_centre: at ? (at.dataset?.test || at.tagName) : null,
           scroll_y: scrollY,
         };",
        vec![json!(selector)],
    )
    .await
}

/// Clicks `selector` until `done` says the click took effect. A click that
/// lands while the page redraws the panel under it can be lost (the button
/// is replaced between press and release, or the panel moves under the
/// pointer); a person would click again, and so does this, after 5 s, only
/// while the element is still there, not busy with the first press (the
/// app's action buttons are disabled while they run: `dom.pressed`) and no
/// error shows, printing what the page showed.
async fn click_until_done<F, Fut>(c: &Client, selector: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    let mut clicks = 0;
    loop {
        if clicks < 3 {
            click(c, selector).await;
            clicks += 1;
        }
        let pressed = Instant::now();
        while pressed.elapsed() < Duration::from_secs(5) {
            if done().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let state = page_state(c, selector).await;
        eprintln!("click {clicks} on {selector} had no effect in 5 s; the page: {state}");
        assert!(
            state["error"].as_str().is_some_and(str::is_empty)
                && !state["element"].is_null()
                && start.elapsed() < WAIT * 2,
            "clicking {selector} did not take effect; the page: {state}"
        );
        // Still busy with a press: wait for it, do not press again.
        if state["busy"] == json!(true) {
            clicks = 3;
        }
    }
}

/// Clicks `selector` until `expect` appears.
async fn click_until(c: &Client, selector: &str, expect: &str) {
    click_until_done(c, selector, || async {
        !attrs(c, expect, "class").await.is_empty()
    })
    .await;
}

/// Clicks an export button until its file is written; returns the file's bytes.
async fn export(c: &Client, selector: &str, path: &Path) -> Vec<u8> {
    click_until_done(c, selector, || async { path.exists() }).await;
    wait_file(path).await
}

async fn type_into(c: &Client, selector: &str, text: &str) {
    on_element(c, selector, |e| async move {
        e.clear().await?;
        e.send_keys(text).await
    })
    .await;
}

/// Sets an input's value the way a date picker would, firing its events.
async fn set_value(c: &Client, selector: &str, value: &str) {
    find(c, selector).await;
    js(
        c,
        "const e = document.querySelector(arguments[0]);
         e.value = arguments[1];
         e.dispatchEvent(new Event('input', {bubbles: true}));
         e.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![json!(selector), json!(value)],
    )
    .await;
}

async fn select(c: &Client, selector: &str, value: &str) {
    on_element(
        c,
        selector,
        |e| async move { e.select_by_value(value).await },
    )
    .await;
}

/// Runs a script in the page: reads made this way are atomic, so they
/// never meet an element the page has just replaced.
async fn js(c: &Client, script: &str, args: Vec<Value>) -> Value {
    c.execute(script, args).await.unwrap()
}

/// The visible text of every element `selector` finds, in page order.
async fn texts(c: &Client, selector: &str) -> Vec<String> {
    let v = js(
        c,
        "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText);",
        vec![json!(selector)],
    )
    .await;
    serde_json::from_value(v).unwrap()
}

/// The value of `attr` on every element `selector` finds.
async fn attrs(c: &Client, selector: &str, attr: &str) -> Vec<String> {
    let v = js(
        c,
        "return [...document.querySelectorAll(arguments[0])].map(e => e.getAttribute(arguments[1]) || '');",
        vec![json!(selector), json!(attr)],
    )
    .await;
    serde_json::from_value(v).unwrap()
}

/// Waits until the first element of `selector` has a text satisfying `ok`.
async fn wait_text(c: &Client, selector: &str, ok: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let now = texts(c, selector).await;
        match now.first() {
            Some(t) if ok(t) => return t.clone(),
            _ => assert!(start.elapsed() < WAIT, "{selector} shows {now:?}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn text(c: &Client, selector: &str) -> String {
    wait_text(c, selector, |_| true).await
}

async fn go(c: &Client, hash: &str) {
    js(c, "location.hash = arguments[0];", vec![json!(hash)]).await;
}

/// Waits until `script` (a page script) returns `expected`; `what` says
/// what did not happen.
async fn wait_js(c: &Client, script: &str, expected: Value, what: &str) {
    let start = Instant::now();
    while js(c, script, vec![]).await != expected {
        assert!(start.elapsed() < WAIT, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The x of the approved-total marker in the ladder chart.
async fn marker_x(c: &Client) -> String {
    let selector = format!("{} [data-test=\"approved-marker\"]", test_id("ladder"));
    find(c, &selector).await;
    attrs(c, &selector, "x1").await.remove(0)
}

/// The pairs of words in the ladder chart drawn over each other (each by its
/// text), none on a readable chart. A text's box is its line box, taller
/// than its letters: boxes that meet by 3 px or less (a label above its
/// price) do not count.
async fn ladder_overlaps(c: &Client) -> Value {
    find(c, &test_id("ladder")).await;
    js(
        c,
        "const boxes = [...document.querySelectorAll('[data-test=ladder] text')]
           .map((t) => [t.textContent, t.getBoundingClientRect()])
           .filter(([, r]) => r.width > 0);
         const over = (a, b) =>
           Math.min(a.right, b.right) - Math.max(a.left, b.left) > 3 &&
           Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 3;
         const pairs = [];
         boxes.forEach(([ta, a], i) => boxes.slice(i + 1).forEach(([tb, b]) => { if (over(a, b)) pairs.push([ta, tb]); }));
         return pairs;",
        vec![],
    )
    .await
}

/// The ladder's words: none drawn over another, none outside the chart.
async fn assert_ladder_readable(c: &Client) {
    assert_eq!(ladder_overlaps(c).await, json!([]));
    let outside = js(
        c,
        "const chart = document.querySelector('[data-test=ladder]').getBoundingClientRect();
         return [...document.querySelectorAll('[data-test=ladder] text')]
           .filter((t) => { const r = t.getBoundingClientRect(); return r.right > chart.right + 1 || r.left < chart.left - 1; })
           .map((t) => t.textContent);",
        vec![],
    )
    .await;
    assert_eq!(outside, json!([]), "words outside the chart");
}

/// A draft of one item at 100.00 USD with a minimum of `min_qty` and
/// `tiers` (threshold, price), made with the CLI and shown: its ladder is
/// readable (shot as `deal-<title>`).
async fn ladder_of(desk: &Desktop, c: &Client, title: &str, min_qty: i64, tiers: &[(i64, &str)]) {
    let tiers: Vec<Value> = tiers
        .iter()
        .map(|(q, p)| json!({"min_qty": q, "prices": [p]}))
        .collect();
    let deal = desk.cli(
        "create_deal",
        json!({"title": title, "currency": "USD", "closes_at": "2099-06-30T18:00:00Z",
               "min_qty": min_qty, "payment": {"mode": "full"}, "approval": "auto",
               "items": [{"name": "Pan", "base_price": "100.00"}], "tiers": tiers}),
    )["id"]
        .as_i64()
        .unwrap();
    go(c, &format!("#/deals/{deal}")).await;
    wait_text(c, "h1", |t| t == title).await;
    assert_ladder_readable(c).await;
    let name = title.to_lowercase().replace(' ', "-");
    shot_ladder(desk, c, &format!("deal-{name}")).await;
}

/// A screenshot with the ladder chart in the middle of the window.
async fn shot_ladder(desk: &Desktop, c: &Client, name: &str) {
    js(
        c,
        "document.querySelector('[data-test=ladder]').scrollIntoView({block: 'center'});",
        vec![],
    )
    .await;
    desk.shot(c, name).await;
}

/// The ids of the bookings waiting in the approval queue.
async fn queued(c: &Client) -> Vec<i64> {
    attrs(c, "[data-test^=\"approve-\"]", "data-test")
        .await
        .iter()
        .map(|t| t.trim_start_matches("approve-").parse().unwrap())
        .collect()
}

/// Chooses a participant in the Book form's search (a combobox over
/// `list_participants {query}`): types `name`, clicks their option.
async fn choose_participant(c: &Client, participant: i64, name: &str) {
    type_into(c, "#book-participant", name).await;
    click(c, &test_id(&format!("participant-option-{participant}"))).await;
    wait_text(c, &test_id("participant-chosen"), |t| t.contains(name)).await;
}

async fn book_and_approve(c: &Client, participant: i64, name: &str, item: &str) -> i64 {
    choose_participant(c, participant, name).await;
    select(c, "#book-item", item).await;
    type_into(c, "#book-quantity", "1").await;
    let before = queued(c).await;
    // Book pressed twice in a row (a double click) books once: the button
    // is disabled while its booking runs (two bookings before).
    js(
        c,
        "const b = document.querySelector('[data-test=book]'); b.click(); b.click();",
        vec![],
    )
    .await;
    let start = Instant::now();
    let id = loop {
        if let Some(id) = queued(c).await.into_iter().find(|id| !before.contains(id)) {
            break id;
        }
        assert!(
            start.elapsed() < WAIT,
            "the booking did not reach the approval queue"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let new: Vec<i64> = queued(c)
        .await
        .into_iter()
        .filter(|id| !before.contains(id))
        .collect();
    assert_eq!(new, [id], "one press of Book, one booking");
    // Count the queue's redraws (fill empties the panel first).
    js(
        c,
        "window.queueDraws = 0;
         window.queueWatch?.disconnect();
         window.queueWatch = new MutationObserver((records) => {
           window.queueDraws += records.filter((r) => r.removedNodes.length > 0).length;
         });
         window.queueWatch.observe(document.querySelector('[data-test=approval-queue]'), {childList: true});",
        vec![],
    )
    .await;
    click_until_done(c, &test_id(&format!("approve-{id}")), || async {
        !queued(c).await.contains(&id)
    })
    .await;
    // The approval's own refresh draws the queue once; the notification an
    // approval causes (minimum or tier reached) drew it a second time, 120 ms
    // later, where a click on the next button could be lost.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let draws = js(c, "return window.queueDraws;", vec![]).await;
    assert_eq!(
        draws,
        json!(1),
        "approving booking {id} redrew the queue {draws} times"
    );
    id
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, WebKitWebDriver, tauri-driver and a D-Bus session: run scripts/test"]
async fn organizer_flow_in_the_real_window() {
    let desk = Desktop::start();
    // Participants made with the CLI before the window opens.
    let ann = desk.cli(
        "add_participant",
        json!({"name": "Ann Archer", "email": "ann@example.org"}),
    )["id"]
        .as_i64()
        .unwrap();
    let ben = desk.cli("add_participant", json!({"name": "Ben Brook"}))["id"]
        .as_i64()
        .unwrap();
    let c = desk.window().await;
    let result = AssertUnwindSafe(flow(&desk, &c, ann, ben))
        .catch_unwind()
        .await;
    if result.is_err() {
        desk.shot(&c, "failure").await;
    }
    let _ = c.close().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

async fn flow(desk: &Desktop, c: &Client, ann: i64, ben: i64) {
    // A participant whose name is markup shows as text.
    go(c, "#/participants").await;
    type_into(c, "#participant-name", "<img src=x onerror=alert(1)>").await;
    click(c, &test_id("add-participant")).await;
    let start = Instant::now();
    loop {
        let names = texts(c, "[data-test^=\"participant-\"]").await;
        if names
            .iter()
            .any(|t| t.contains("<img src=x onerror=alert(1)>"))
        {
            break;
        }
        assert!(
            start.elapsed() < WAIT,
            "the participant's name is not shown as text: {names:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let images = c.find_all(css("main img")).await.unwrap();
    assert!(
        images.is_empty(),
        "a participant's name was rendered as HTML"
    );
    desk.shot(c, "participants").await;

    // Create a deal through the editor: manual approval, two items, one tier.
    go(c, "#/deals").await;
    // The app reports how long it took from its process start to the first
    // painted deal list (issue 14's start-up figure).
    let start = Instant::now();
    let startup = loop {
        let v = js(c, "return window.bookrunStartupMs ?? null;", vec![]).await;
        if let Some(ms) = v.as_i64() {
            break ms;
        }
        assert!(start.elapsed() < WAIT, "no start-up figure from the app");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!((1..60_000).contains(&startup), "start-up {startup} ms");
    click_until(c, &test_id("new-deal"), "#deal-title").await;
    type_into(c, "#deal-title", "Bikes").await;
    type_into(c, "#deal-currency", "USD").await;
    set_value(c, "#deal-closes-at", "2099-06-30T18:00").await;
    type_into(c, "#deal-min-qty", "2").await;
    select(c, "#deal-payment-mode", "full").await;
    select(c, "#deal-approval", "manual").await;
    type_into(c, "#item-name-0", "city bike").await;
    type_into(c, "#item-price-0", "500.00").await;
    click(c, &test_id("add-item")).await;
    type_into(c, "#item-name-1", "e-bike").await;
    type_into(c, "#item-price-1", "1500.00").await;
    click(c, &test_id("add-tier")).await;
    type_into(c, "#tier-min-0", "3").await;
    type_into(c, "#tier-price-0-0", "450.00").await;
    // First a price above the base price: the error shows next to the field.
    type_into(c, "#tier-price-0-1", "1600.00").await;
    click(c, &test_id("save-deal")).await;
    let err = wait_text(c, "[data-field=\"tiers[0].prices[1]\"]", |t| !t.is_empty()).await;
    assert!(err.contains("base price"), "{err}");
    desk.shot(c, "editor-error").await;
    type_into(c, "#tier-price-0-1", "1400.00").await;
    click(c, &test_id("save-deal")).await;
    wait_text(c, &test_id("deal-status"), |t| {
        t.to_lowercase().contains("draft")
    })
    .await;
    click(c, &test_id("open-deal")).await;
    wait_text(c, &test_id("deal-status"), |t| {
        t.to_lowercase().contains("open")
    })
    .await;
    let deal_id = desk.cli("list_deals", json!({}))[0]["id"].as_i64().unwrap();

    // Book and approve until tier 1 is reached; the ladder's marker moves.
    let x0 = marker_x(c).await;
    book_and_approve(c, ann, "Ann Archer", "city bike").await;
    book_and_approve(c, ben, "Ben Brook", "e-bike").await;
    wait_text(c, &test_id("approved-qty"), |t| t.contains('2')).await;
    let x2 = marker_x(c).await;
    assert_ne!(x0, x2, "the approved marker did not move");
    let third = book_and_approve(c, ann, "Ann Archer", "e-bike").await;
    assert_ladder_readable(c).await;
    wait_text(c, &test_id("deal-level"), |t| t.contains("1")).await;
    let unlock = text(c, &test_id("unlock-text")).await;
    assert!(
        !unlock.contains("unlock tier 1"),
        "tier 1 is reached: {unlock}"
    );
    desk.shot(c, "deal-tier-1").await;
    let start = Instant::now();
    while !desk.dbus().contains("reached tier 1") {
        assert!(
            start.elapsed() < WAIT,
            "no Notify with the tier text on D-Bus:\n{}",
            desk.dbus()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(desk.dbus().contains("member=Notify"), "{}", desk.dbus());

    // Cancel the third booking: the step-down warning names who pays more.
    click_until(
        c,
        &test_id(&format!("cancel-{third}")),
        &test_id("cancel-dialog"),
    )
    .await;
    find(c, &test_id("cancel-dialog")).await;
    let warning = text(c, &test_id("step-down-warning")).await;
    assert!(
        warning.contains("Ann Archer") && warning.contains("50.00"),
        "{warning}"
    );
    assert!(
        warning.contains("Ben Brook") && warning.contains("100.00"),
        "{warning}"
    );
    desk.shot(c, "cancel-warning").await;
    click(c, &test_id("confirm-cancel")).await;
    wait_text(c, &test_id("deal-level"), |t| !t.contains("1")).await;

    // A change made by the CLI shows up in the open window.
    let cleo = desk.cli("add_participant", json!({"name": "Cleo from the CLI"}))["id"]
        .as_i64()
        .unwrap();
    desk.cli(
        "book",
        json!({"deal_id": deal_id, "participant_id": cleo, "item": "city bike", "quantity": 1}),
    );
    let pending = test_id(&format!(
        "approve-{}",
        desk.cli(
            "list_bookings",
            json!({"deal_id": deal_id, "status": "pending"})
        )[0]["id"]
    ));
    // The watch task polls every 500 ms; the limit here only catches a
    // window that never refreshes (speed is not a timed test's business).
    let start = Instant::now();
    while attrs(c, &pending, "data-test").await.is_empty() {
        assert!(
            start.elapsed() < WAIT,
            "the CLI's booking never showed in the window"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "a CLI change showed in the window after {:?}",
        start.elapsed()
    );
    click(c, &pending).await;
    wait_text(c, &test_id("deal-level"), |t| t.contains("1")).await;

    // End the deal at tier 1 and read Ann's refund in her statement.
    click_until(c, &test_id("end-deal"), &test_id("confirm-end")).await;
    click(c, &test_id("confirm-end")).await;
    wait_text(c, &test_id("deal-status"), |t| {
        t.to_lowercase().contains("settled")
    })
    .await;
    desk.shot(c, "deal-settled").await;
    go(c, &format!("#/participants/{ann}")).await;
    let start = Instant::now();
    loop {
        let texts = texts(c, "[data-test^=\"entry-\"]").await;
        if texts
            .iter()
            .any(|t| t.contains("refund") && t.contains("50.00"))
        {
            break;
        }
        assert!(
            start.elapsed() < WAIT,
            "no refund of 50.00 in Ann's statement: {texts:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Ann: city bike 500.00 charged, 50.00 refunded at tier 1; her e-bike
    // was charged and refunded in full when cancelled: balance -450.00.
    wait_text(c, &test_id("balance"), |t| t.contains("-450.00")).await;
    desk.shot(c, "statement").await;
    go(c, "#/notifications").await;
    find(c, "[data-test^=\"notification-\"]").await;
    desk.shot(c, "notifications").await;
    go(c, "#/deals").await;
    find(c, &test_id("new-deal")).await;
    desk.shot(c, "deals").await;
    go(c, &format!("#/deals/{deal_id}")).await;
    find(c, &test_id("ladder")).await;
    desk.shot(c, "deal").await;
}

/// What `participant` owes in `currency` (`outstanding`), "0.00" for nothing.
fn owes(desk: &Desktop, participant: i64, currency: &str) -> String {
    let all = desk.cli("outstanding", json!({}));
    let row = all
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["participant_id"] == participant && d["currency"] == currency);
    row.map_or("0.00".into(), |d| d["owes"].as_str().unwrap().to_string())
}

/// Waits until `path` exists and returns its bytes.
async fn wait_file(path: &Path) -> Vec<u8> {
    let start = Instant::now();
    loop {
        if let Ok(b) = std::fs::read(path) {
            return b;
        }
        assert!(start.elapsed() < WAIT, "{} was not written", path.display());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, WebKitWebDriver, tauri-driver and a D-Bus session: run scripts/test"]
async fn organizer_toolbox_in_the_real_window() {
    let desk = Desktop::start();
    // An open deal with a stock of 6 and two pickup points, from the CLI.
    let deal = desk.cli(
        "create_deal",
        json!({"title": "Olive oil", "currency": "USD", "closes_at": "2099-01-01T00:00:00Z",
               "min_qty": 5, "payment": {"mode": "full"}, "approval": "auto",
               "items": [{"name": "5 l tin", "base_price": "42.00"}],
               "tiers": [{"min_qty": 6, "prices": ["38.00"]}], "stock": 6,
               "pickup_points": ["Market", "Library"], "commission_percent": "5",
               "merchant": "Cretan farm"}),
    )["id"]
        .as_i64()
        .unwrap();
    desk.cli("open_deal", json!({ "deal_id": deal }));
    let c = desk.window().await;
    let exports = tempfile::tempdir().unwrap();
    let result = AssertUnwindSafe(toolbox_flow(&desk, &c, deal, exports.path()))
        .catch_unwind()
        .await;
    if result.is_err() {
        desk.shot(&c, "toolbox-failure").await;
    }
    let _ = c.close().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

async fn toolbox_flow(desk: &Desktop, c: &Client, deal: i64, exports: &Path) {
    // Import a sign-up sheet: the preview lists a bad row, nothing is imported.
    go(c, &format!("#/deals/{deal}/import")).await;
    let bad = "Name;E-mail;Item;Qty;Pickup point\nDora;dora@example.org;5 l tin;3;Market\nEmil;;olive;1;\n";
    set_value(c, "#signup-csv", bad).await;
    click(c, &test_id("preview-signups")).await;
    let summary = text(c, &test_id("signup-summary")).await;
    assert!(summary.contains("1 error"), "{summary}");
    let row = text(c, &test_id("signup-row-3")).await;
    assert!(row.contains("no item \"olive\""), "{row}");
    let disabled = js(
        c,
        "return document.querySelector('[data-test=import-signups]').disabled;",
        vec![],
    )
    .await;
    assert_eq!(disabled, json!(true), "the import button is disabled");
    desk.shot(c, "toolbox-import-error").await;
    assert_eq!(desk.cli("list_participants", json!({})), json!([]));
    // The corrected sheet: four new participants, the last one waitlisted.
    let sheet = "Name;E-mail;Item;Qty;Pickup point\n\
                 Dora;dora@example.org;5 l tin;3;Market\n\
                 Emil;emil@example.org;5 l tin;2;Library\n\
                 Fay;;5 l tin;1;Market\n\
                 Gus;gus@example.org;5 l tin;2;\n";
    set_value(c, "#signup-csv", sheet).await;
    click(c, &test_id("preview-signups")).await;
    wait_text(c, &test_id("signup-summary"), |t| {
        t.contains("4 new participants") && t.contains("1 on the waitlist")
    })
    .await;
    desk.shot(c, "toolbox-import-preview").await;
    click(c, &test_id("import-signups")).await;
    wait_text(c, &test_id("import-status"), |t| {
        t.contains("Imported 4 rows")
    })
    .await;
    let people = desk.cli("list_participants", json!({}));
    assert_eq!(people.as_array().unwrap().len(), 4);
    let id_of = |name: &str| {
        people
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (dora, gus) = (id_of("Dora"), id_of("Gus"));

    // The deal page: the waitlist, the share text, the merchant order and its export.
    go(c, &format!("#/deals/{deal}")).await;
    let waitlist = text(c, &test_id("waitlist")).await;
    assert!(waitlist.contains("Gus (2 × 5 l tin)"), "{waitlist}");
    let share = text(c, &test_id("share-text")).await;
    assert!(
        share.contains("6 units booked, price now 38.00 USD")
            && share.contains("Sold out: new bookings join the waitlist."),
        "{share}"
    );
    click(c, &test_id("copy-share")).await;
    let start = Instant::now();
    while !texts(c, &test_id("toast"))
        .await
        .iter()
        .any(|t| t.contains("Copied") || t.contains("Copy by hand"))
    {
        assert!(
            start.elapsed() < WAIT,
            "copying the share text said nothing"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let commission = text(c, &test_id("commission")).await;
    assert!(
        commission.contains("5% of 228.00 = 11.40 USD"),
        "{commission}"
    );
    desk.answer_dialogs(exports, None);
    let csv = export(
        c,
        &test_id("export-order-csv"),
        &exports.join("order-olive-oil.csv"),
    )
    .await;
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "item,quantity,unit price,total\n5 l tin,6,38.00,228.00\ntotal,6,,228.00\n"
    );
    // From the keyboard: Enter on the focused PDF button exports, and the
    // focus is on the button after (it is disabled while it runs; engines
    // that then move the focus to the page get it back: dom.pressed).
    on_element(c, &test_id("export-order-pdf"), |e| async move {
        e.send_keys("\u{E007}").await
    })
    .await;
    let pdf = wait_file(&exports.join("order-olive-oil.pdf")).await;
    assert!(pdf.starts_with(b"%PDF-"));
    wait_js(
        c,
        "return document.activeElement?.dataset?.test ?? null;",
        json!("export-order-pdf"),
        "the PDF button lost the focus",
    )
    .await;
    find(c, &test_id("toolbox")).await;
    js(
        c,
        "document.querySelector('[data-test=toolbox]').scrollIntoView();",
        vec![],
    )
    .await;
    desk.shot(c, "toolbox-deal").await;

    // Emil cancels (from the CLI): Gus moves up from the waitlist, approved,
    // and the notification goes out on D-Bus.
    let emil_booking = desk.cli("list_bookings", json!({ "deal_id": deal }))[1]["id"].clone();
    desk.cli("cancel_booking", json!({ "booking_id": emil_booking }));
    let start = Instant::now();
    while !desk.dbus().contains("left the waitlist") {
        assert!(
            start.elapsed() < WAIT,
            "no waitlist notification on D-Bus:\n{}",
            desk.dbus()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Pickup lists: Dora collects at the market.
    go(c, &format!("#/deals/{deal}/pickup")).await;
    let dora_booking = desk.cli("list_bookings", json!({ "deal_id": deal }))[0]["id"]
        .as_i64()
        .unwrap();
    let market = text(c, &test_id("pickup-point-0")).await;
    assert!(
        market.starts_with("Market") && market.contains("owes 126.00"),
        "{market}"
    );
    click(c, &test_id(&format!("collect-{dora_booking}"))).await;
    let start = Instant::now();
    loop {
        let l = desk.cli(
            "pickup_list",
            json!({"deal_id": deal, "pickup_point": "Market"}),
        );
        if l["points"][0]["collected"] == 1 {
            break;
        }
        assert!(
            start.elapsed() < WAIT,
            "Dora's collection was not recorded: {l}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pdf = export(
        c,
        &test_id("export-pickup-pdf"),
        &exports.join("pickup-olive-oil.pdf"),
    )
    .await;
    assert!(pdf.starts_with(b"%PDF-"));
    desk.shot(c, "toolbox-pickup").await;

    // Money: who owes what, then Dora pays by bank transfer with her reference.
    go(c, "#/money").await;
    find(c, &test_id(&format!("owes-{dora}-USD"))).await;
    click(c, &test_id(&format!("copy-reminder-{dora}"))).await;
    let reference = desk.cli(
        "statement",
        json!({"participant_id": dora, "currency": "USD"}),
    )["reference"]
        .as_str()
        .unwrap()
        .to_string();
    let statement = format!(
        "Date;Amount;Reference;Name\n2026-11-24;126,00;oil {reference};Dora\n2026-11-24;-2.00;fee;\n"
    );
    set_value(c, "#bank-csv", &statement).await;
    click(c, &test_id("preview-bank")).await;
    let summary = text(c, &test_id("bank-summary")).await;
    assert!(summary.starts_with("1 payment of 126.00 USD"), "{summary}");
    assert_eq!(text(c, &test_id("bank-status-2")).await, "matched");
    desk.shot(c, "toolbox-money").await;
    click(c, &test_id("record-bank")).await;
    wait_text(c, &test_id("bank-status"), |t| {
        t.contains("Recorded 1 payment")
    })
    .await;
    let s = desk.cli(
        "statement",
        json!({"participant_id": dora, "currency": "USD"}),
    );
    assert_eq!(s["balance"], "0.00");
    // The same statement again is recognised: nothing to record.
    set_value(c, "#bank-csv", &statement).await;
    click(c, &test_id("preview-bank")).await;
    assert_eq!(text(c, &test_id("bank-status-2")).await, "duplicate");
    assert_eq!(owes(desk, gus, "USD"), "84.00");
    // A credit with neither a reference nor an amount anyone owes stays
    // unmatched; the organizer finds Gus by name in its row (a search, not
    // a list of every participant) and assigns it to him.
    let transfer = "Date;Amount;Reference;Name\n2026-11-25;50,00;cash deposit;G. S.\n";
    set_value(c, "#bank-csv", transfer).await;
    click(c, &test_id("preview-bank")).await;
    wait_text(c, &test_id("bank-status-2"), |t| t == "unmatched").await;
    type_into(c, &test_id("assign-2"), "Zed").await;
    let none = text(c, &test_id("participant-none")).await;
    assert!(none.contains("No participant matches"), "{none}");
    type_into(c, &test_id("assign-2"), "Gu").await;
    click(c, &test_id(&format!("participant-option-{gus}"))).await;
    wait_text(c, &test_id("bank-status-2"), |t| t == "matched").await;
    // "Leave unmatched" undoes it, and the row's search has the focus.
    click(c, &test_id("unassign-2")).await;
    wait_text(c, &test_id("bank-status-2"), |t| t == "unmatched").await;
    // Its search is empty: the name it showed was no search (it stayed).
    assert_eq!(
        js(
            c,
            "return document.getElementById('assign-2').value;",
            vec![]
        )
        .await,
        json!("")
    );
    wait_js(
        c,
        "return document.activeElement?.id;",
        json!("assign-2"),
        "the row's search did not get the focus",
    )
    .await;
    type_into(c, &test_id("assign-2"), "Gu").await;
    click(c, &test_id(&format!("participant-option-{gus}"))).await;
    wait_text(c, &test_id("bank-status-2"), |t| t == "matched").await;
    // Text typed over the choice and left is not a change: Gus comes back.
    type_into(c, &test_id("assign-2"), "Do").await;
    click(c, &test_id("bank-summary")).await;
    wait_js(
        c,
        "return document.getElementById('assign-2').value;",
        json!("Gus"),
        "the assigned name did not come back",
    )
    .await;
    let summary = text(c, &test_id("bank-summary")).await;
    assert!(summary.starts_with("1 payment of 50.00 USD"), "{summary}");
    desk.shot(c, "bank-assigned").await;
    click(c, &test_id("record-bank")).await;
    wait_text(c, &test_id("bank-status"), |t| {
        t.contains("Recorded 1 payment")
    })
    .await;
    assert_eq!(owes(desk, gus, "USD"), "34.00");
    let ledger = export(
        c,
        &test_id("export-ledger-csv"),
        &exports.join("ledger.csv"),
    )
    .await;
    let ledger = String::from_utf8(ledger).unwrap();
    assert!(
        ledger.contains("payment") && ledger.contains("126.00"),
        "{ledger}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, WebKitWebDriver, tauri-driver and a D-Bus session: run scripts/test"]
async fn backup_and_restore_in_the_real_window() {
    let desk = Desktop::start();
    desk.cli("add_participant", json!({"name": "Hana Before"}));
    let c = desk.window().await;
    let files = tempfile::tempdir().unwrap();
    let result = AssertUnwindSafe(backup_flow(&desk, &c, files.path()))
        .catch_unwind()
        .await;
    if result.is_err() {
        desk.shot(&c, "data-failure").await;
    }
    let _ = c.close().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// Calls a command from the page's script as any script could, and returns
/// `{"ok": result}` or `{"err": error}`.
async fn invoke_from_page(c: &Client, command: &str, args: Value) -> Value {
    c.execute_async(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke(arguments[0], arguments[1])
           .then((r) => done({ ok: r }), (e) => done({ err: e }));",
        vec![json!(command), args],
    )
    .await
    .unwrap()
}

async fn backup_flow(desk: &Desktop, c: &Client, files: &Path) {
    go(c, "#/data").await;
    // The page cannot name a file: a path it sends is refused, and the
    // dialog plugin's commands are not granted to it.
    let target = files.join("from-the-page.csv");
    let r = invoke_from_page(
        c,
        "export_ledger",
        json!({"currency": "USD", "format": "csv", "path": target.to_str().unwrap()}),
    )
    .await;
    assert_eq!(r["err"]["code"], "validation", "{r}");
    assert_eq!(r["err"]["field"], "path", "{r}");
    let r = invoke_from_page(c, "restore", json!({"path": desk.db.to_str().unwrap()})).await;
    assert_eq!(r["err"]["field"], "path", "{r}");
    let r = invoke_from_page(
        c,
        "plugin:dialog|save",
        json!({"options": {"defaultPath": target.to_str().unwrap()}}),
    )
    .await;
    assert!(
        r.get("err").is_some(),
        "the dialog plugin answered the page: {r}"
    );
    assert!(!target.exists());
    desk.answer_dialogs(files, None);
    click(c, &test_id("backup")).await;
    let said = wait_text(c, &test_id("data-result"), |t| t.contains("Backup written")).await;
    let backup = std::fs::read_dir(files)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "bak"))
        .expect("a .bak file in the folder the dialog chose");
    assert!(said.contains(backup.to_str().unwrap()), "{said}");
    // Work after the backup, from the command line while the window is open.
    desk.cli("add_participant", json!({"name": "Ivo After"}));
    // A file that is not a backup is refused, and nothing changes.
    let junk = files.join("notes.bak");
    std::fs::write(&junk, "not a database").unwrap();
    desk.answer_dialogs(files, Some(&junk));
    click(c, &test_id("restore")).await;
    click(c, &test_id("restore-confirm")).await;
    let error = wait_text(c, &test_id("error"), |t| t.contains("Book & Run backup")).await;
    assert!(error.starts_with("Path:"), "{error}");
    assert_eq!(
        desk.cli("list_participants", json!({}))
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // The real backup: restored, the replaced data kept beside the database.
    desk.answer_dialogs(files, Some(&backup));
    click(c, &test_id("restore")).await;
    find(c, &test_id("restore-dialog")).await;
    desk.shot(c, "data-restore-confirm").await;
    click(c, &test_id("restore-confirm")).await;
    let kept = wait_text(c, &test_id("replaced-kept-at"), |t| {
        t.contains(".replaced-")
    })
    .await;
    assert!(Path::new(&kept).exists(), "{kept}");
    let names: Vec<String> = desk
        .cli("list_participants", json!({}))
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["Hana Before".to_string()]);
    desk.shot(c, "data").await;
    go(c, "#/participants").await;
    wait_text(c, "main", |t| {
        t.contains("Hana Before") && !t.contains("Ivo After")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, WebKitWebDriver, tauri-driver and a D-Bus session: run scripts/test"]
async fn credit_limits_and_tier_economics_in_the_real_window() {
    let desk = Desktop::start();
    let ann = desk.cli("add_participant", json!({"name": "Ann Archer"}))["id"]
        .as_i64()
        .unwrap();
    let deal = desk.cli(
        "create_deal",
        json!({"title": "Honey", "currency": "EUR", "closes_at": "2099-06-30T18:00:00Z",
               "min_qty": 1, "payment": {"mode": "full"}, "approval": "auto",
               "items": [{"name": "Jar", "base_price": "64.00"}]}),
    )["id"]
        .as_i64()
        .unwrap();
    desk.cli("open_deal", json!({ "deal_id": deal }));
    desk.cli(
        "book",
        json!({"deal_id": deal, "participant_id": ann, "item": "Jar", "quantity": 1}),
    );
    let c = desk.window().await;
    let result = AssertUnwindSafe(economics_flow(&desk, &c, ann, deal))
        .catch_unwind()
        .await;
    if result.is_err() {
        desk.shot(&c, "economics-failure").await;
    }
    let _ = c.close().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

async fn economics_flow(desk: &Desktop, c: &Client, ann: i64, deal: i64) {
    // SPEC section 10: a limit of 100.00 on Ann's EUR wallet, set in the window.
    go(c, &format!("#/participants/{ann}")).await;
    wait_text(c, "legend", |t| t.contains("EUR")).await;
    type_into(c, "#credit-limit", "100.00").await;
    click(c, &test_id("save-credit-limit")).await;
    wait_text(c, &test_id("credit-limit-status"), |t| {
        t.contains("Limit set: 100.00 EUR")
    })
    .await;
    assert_eq!(
        desk.cli("list_participants", json!({}))[0]["credit_limits"],
        json!({"EUR": "100.00"})
    );
    desk.shot(c, "credit-limit").await;
    // A second jar would take her to -128.00: refused, naming what is missing.
    go(c, &format!("#/deals/{deal}")).await;
    choose_participant(c, ann, "Ann Archer").await;
    select(c, "#book-item", "Jar").await;
    type_into(c, "#book-quantity", "1").await;
    click(c, &test_id("book")).await;
    let error = wait_text(c, &test_id("error"), |t| t.contains("more on the wallet")).await;
    assert!(
        error.contains("needs 28.00 EUR more on the wallet"),
        "{error}"
    );
    desk.shot(c, "credit-limit-refused").await;
    assert_eq!(
        desk.cli("list_bookings", json!({ "deal_id": deal }))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // SPEC section 11: the seed's books and boxes, typed in the editor; the
    // loss shows while the tier is typed, then as a band on the ladder.
    go(c, "#/deals/new").await;
    type_into(c, "#deal-title", "Books").await;
    type_into(c, "#deal-currency", "EUR").await;
    set_value(c, "#deal-closes-at", "2099-06-30T18:00").await;
    type_into(c, "#deal-min-qty", "1").await;
    type_into(c, "#item-name-0", "Book").await;
    type_into(c, "#item-price-0", "10.00").await;
    type_into(c, "#item-unit-cost-0", "10.00").await;
    type_into(c, "#item-packs-0", "10 for 80.00").await;
    wait_text(c, &test_id("loss-check"), |t| t.contains("no loss")).await;
    click(c, &test_id("add-tier")).await;
    type_into(c, "#tier-min-0", "10").await;
    type_into(c, "#tier-price-0-0", "8.00").await;
    let check = wait_text(c, &test_id("loss-check"), |t| {
        t.contains("loses money from 11 to 19 units")
    })
    .await;
    assert!(check.contains("worst at 18"), "{check}");
    assert!(check.contains("margin -16.00 EUR"), "{check}");
    desk.shot(c, "editor-loss-check").await;
    click(c, &test_id("save-deal")).await;
    find(c, &test_id("loss-worst")).await;
    // SVG text has no innerText: its textContent is what is drawn.
    let worst = js(
        c,
        "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent);",
        vec![json!(test_id("loss-worst"))],
    )
    .await;
    assert_eq!(worst, json!(["worst 18: -16.00"]));
    assert_eq!(attrs(c, &test_id("loss-band"), "class").await.len(), 1);
    // A minimum of 1 against a chart to 23 units: a narrow band below the
    // minimum, whose words went over the Minimum step's label and price.
    assert_ladder_readable(c).await;
    shot_ladder(desk, c, "deal-loss-band").await;
    // Tiers close in quantity and in price (10 and 11 units, 99.50 and
    // 99.00): their words were drawn over each other.
    let close = [(10, "99.50"), (11, "99.00"), (30, "50.00")];
    ladder_of(desk, c, "Close tiers", 1, &close).await;
    // Four tiers a unit apart at nearly one price, near the end of the
    // axis: shifted right, their words went past the chart's edge.
    let crowd = [
        (11, "99.80"),
        (12, "99.60"),
        (13, "99.40"),
        (14, "99.20"),
        (15, "50.00"),
    ];
    ladder_of(desk, c, "Crowded tiers", 10, &crowd).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, WebKitWebDriver, tauri-driver and a D-Bus session: run scripts/test"]
async fn delivery_shortfall_and_repeat_in_the_real_window() {
    let desk = Desktop::start();
    // SPEC section 12's example: bookings of 5, 3 and 2 jars, settled.
    let deal = desk.cli(
        "create_deal",
        json!({"title": "Jars", "currency": "USD", "closes_at": "2099-06-30T18:00:00Z",
               "min_qty": 1, "payment": {"mode": "full"}, "approval": "auto",
               "items": [{"name": "jar", "base_price": "3.50"}]}),
    )["id"]
        .as_i64()
        .unwrap();
    desk.cli("open_deal", json!({ "deal_id": deal }));
    let mut people = vec![];
    for (name, qty) in [("Ada", 5), ("Bo", 3), ("Cy", 2)] {
        let p = desk.cli("add_participant", json!({ "name": name }))["id"]
            .as_i64()
            .unwrap();
        desk.cli(
            "book",
            json!({"deal_id": deal, "participant_id": p, "item": "jar", "quantity": qty}),
        );
        people.push(p);
    }
    desk.cli("end_deal", json!({ "deal_id": deal }));
    let c = desk.window().await;
    let result = AssertUnwindSafe(delivery_flow(&desk, &c, deal, &people))
        .catch_unwind()
        .await;
    if result.is_err() {
        desk.shot(&c, "delivery-failure").await;
    }
    let _ = c.close().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

async fn delivery_flow(desk: &Desktop, c: &Client, deal: i64, people: &[i64]) {
    go(c, &format!("#/deals/{deal}")).await;
    find(c, &test_id("delivery-form")).await;
    // More than ordered is refused by field, nothing written.
    type_into(c, "#delivered-0", "11").await;
    click(c, &test_id("preview-delivery")).await;
    let error = wait_text(c, &test_id("error"), |t| t.contains("Delivered")).await;
    assert!(error.contains("10"), "{error}");
    // 7 of 10 jars: the latest bookings lose units first.
    type_into(c, "#delivered-0", "7").await;
    click(c, &test_id("preview-delivery")).await;
    let summary = wait_text(c, &test_id("delivery-summary"), |t| t.contains("missing")).await;
    assert_eq!(
        summary,
        "3 units missing: 2 bookings refunded 10.50 USD at the final price."
    );
    let lines = texts(c, &format!("{} tbody tr", test_id("delivery-lines"))).await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].contains("Bo") && lines[0].contains("3.50"),
        "{lines:?}"
    );
    assert!(
        lines[1].contains("Cy") && lines[1].contains("7.00"),
        "{lines:?}"
    );
    desk.shot(c, "delivery-preview").await;
    // Another process's commit redraws the page: what was typed and its
    // preview stay (the form was rebuilt, with the ordered 10 and no preview).
    js(
        c,
        "document.querySelector('[data-test=deal-status]').dataset.before = 'yes';",
        vec![],
    )
    .await;
    desk.cli("add_participant", json!({"name": "Dee"}));
    let start = Instant::now();
    while !attrs(c, "[data-test=deal-status][data-before]", "class")
        .await
        .is_empty()
    {
        assert!(start.elapsed() < WAIT, "the page was not redrawn");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let kept = js(
        c,
        "return [document.querySelector('#delivered-0').value,
                 !!document.querySelector('[data-test=delivery-summary]'),
                 document.querySelector('[data-test=record-delivery]').disabled];",
        vec![],
    )
    .await;
    assert_eq!(kept, json!(["7", true, false]), "after a redraw");
    click_until(c, &test_id("record-delivery"), &test_id("delivery-dialog")).await;
    click(c, &test_id("confirm-delivery")).await;
    let recorded = wait_text(c, &test_id("delivery-recorded"), |t| t.contains("7 of 10")).await;
    assert_eq!(recorded.trim(), "jar: 7 of 10 delivered");
    let order = texts(c, &format!("{} thead", test_id("merchant-order"))).await;
    // (headers are upper-cased by the style sheet)
    let head = order[0].to_lowercase();
    assert!(
        head.contains("ordered\tdelivered") && head.contains("delivered total"),
        "{order:?}"
    );
    desk.shot(c, "delivery-recorded").await;
    let start = Instant::now();
    while !desk.dbus().contains("3 units short") {
        assert!(
            start.elapsed() < WAIT,
            "no delivery_short notification on D-Bus:\n{}",
            desk.dbus()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The refund in Cy's wallet, and on her statement for the deal.
    go(c, &format!("#/participants/{}", people[2])).await;
    wait_text(c, &test_id("entries"), |t| t.contains("not delivered")).await;
    let st = desk.cli(
        "deal_statement",
        json!({"participant_id": people[2], "deal_id": deal}),
    );
    assert_eq!(st["totals"]["delivery_refund"], "7.00", "{st}");
    // The pickup list marks Cy's booking: nothing was delivered.
    go(c, &format!("#/deals/{deal}/pickup")).await;
    let cy = wait_text(c, "[data-test^=\"nothing-delivered-\"]", |_| true).await;
    assert_eq!(cy, "nothing delivered (of 2)");
    desk.shot(c, "delivery-pickup").await;
    // Repeat this deal: a draft with the same terms, the editor asks for the dates.
    go(c, &format!("#/deals/{deal}")).await;
    click(c, &test_id("repeat-deal")).await;
    find(c, &test_id("set-closes-at")).await;
    assert_eq!(
        js(
            c,
            "return document.getElementById('item-price-0').value;",
            vec![]
        )
        .await,
        json!("3.50")
    );
    let deals = desk.cli("list_deals", json!({ "status": "draft" }));
    assert_eq!(deals[0]["title"], "Jars");
    assert_eq!(deals[0]["approved_qty"], 0);
    desk.shot(c, "repeat-editor").await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, WebKitWebDriver, tauri-driver and a D-Bus session: run scripts/test"]
async fn the_organizers_first_hour_in_the_real_window() {
    // Issue 15: SPEC example 1 from an empty database, every step in the window.
    let desk = Desktop::start();
    let c = desk.window().await;
    let result = AssertUnwindSafe(first_hour(&desk, &c)).catch_unwind().await;
    if result.is_err() {
        desk.shot(&c, "first-hour-failure").await;
    }
    let _ = c.close().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// The id of the participant called `name` (from the CLI).
fn participant_id(desk: &Desktop, name: &str) -> i64 {
    desk.cli("list_participants", json!({}))
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no participant {name}"))["id"]
        .as_i64()
        .unwrap()
}

async fn first_hour(desk: &Desktop, c: &Client) {
    // The "Cars" deal in the editor; a bad minimum first: the message names
    // the field as its label reads ("Minimum quantity", not "Min qty").
    go(c, "#/deals").await;
    click_until(c, &test_id("new-deal"), "#deal-title").await;
    // The title is left empty at first: two mistakes, both named at once.
    type_into(c, "#deal-currency", "USD").await;
    set_value(c, "#deal-closes-at", "2099-12-01T00:00").await;
    select(c, "#deal-payment-mode", "full").await;
    select(c, "#deal-approval", "auto").await;
    type_into(c, "#deal-min-qty", "-3").await;
    type_into(c, "#item-name-0", "model #1").await;
    type_into(c, "#item-price-0", "30000.00").await;
    click(c, &test_id("add-item")).await;
    type_into(c, "#item-name-1", "model #5").await;
    type_into(c, "#item-price-1", "25000.00").await;
    click(c, &test_id("add-tier")).await;
    type_into(c, "#tier-min-0", "4").await;
    type_into(c, "#tier-price-0-0", "29500.00").await;
    type_into(c, "#tier-price-0-1", "24800.00").await;
    click(c, &test_id("save-deal")).await;
    let banner = wait_text(c, &test_id("error"), |t| t.contains("Minimum quantity")).await;
    assert!(
        banner.contains("Minimum quantity") && !banner.contains("Min qty"),
        "{banner}"
    );
    assert!(
        banner.contains("at least 1"),
        "the rule, not the type: {banner}"
    );
    assert!(
        banner.contains("Title"),
        "every bad field at once: {banner}"
    );
    let title_error = wait_text(c, "[data-field=\"title\"] .field-error", |t| !t.is_empty()).await;
    assert!(!title_error.is_empty());
    let beside = wait_text(c, "[data-field=\"min_qty\"] .field-error", |t| {
        !t.is_empty()
    })
    .await;
    assert!(!beside.is_empty(), "no message beside the minimum");
    assert_eq!(
        js(
            c,
            "return document.activeElement && document.activeElement.id;",
            vec![]
        )
        .await,
        json!("deal-title"),
        "the first invalid field has the focus"
    );
    desk.shot(c, "first-hour-editor-error").await;
    type_into(c, "#deal-title", "Cars").await;
    type_into(c, "#deal-min-qty", "3").await;
    click(c, &test_id("save-deal")).await;
    wait_text(c, &test_id("deal-status"), |t| {
        t.to_lowercase().contains("draft")
    })
    .await;
    click(c, &test_id("open-deal")).await;
    wait_text(c, &test_id("deal-status"), |t| {
        t.to_lowercase().contains("open")
    })
    .await;
    wait_text(c, &test_id("deal-confirmation"), |t| {
        t.contains("Deal opened")
    })
    .await;
    let deal = desk.cli("list_deals", json!({}))[0]["id"].as_i64().unwrap();

    // The Book form is near the top of an open deal (no scrolling past the
    // ladder), and B brings the cursor to its participant search.
    let top = js(
        c,
        "return document.querySelector('[data-test=book-form]').getBoundingClientRect().top;",
        vec![],
    )
    .await;
    assert!(
        top.as_f64().unwrap() < 800.0,
        "the Book form starts at {top}"
    );
    js(
        c,
        "document.activeElement && document.activeElement.blur(); window.scrollTo(0, document.body.scrollHeight);
         document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'b', bubbles: true}));",
        vec![],
    )
    .await;
    assert_eq!(
        js(
            c,
            "return document.activeElement && document.activeElement.id;",
            vec![]
        )
        .await,
        json!("book-participant")
    );

    // Four participants, each added from the booking form's search and booked:
    // A a model #1, B, C, D a model #5; the third reaches the minimum, the
    // fourth tier 1.
    for (name, item) in [
        ("A", "model #1"),
        ("B", "model #5"),
        ("C", "model #5"),
        ("D", "model #5"),
    ] {
        type_into(c, "#book-participant", name).await;
        // The popup of this search (not a closed one's option): "Add “A”…".
        wait_text(c, &test_id("participant-option-new"), |t| {
            t.contains(&format!("“{name}”"))
        })
        .await;
        click(c, &test_id("participant-option-new")).await;
        find(c, "#book-participant-new-name").await;
        let typed = js(
            c,
            "return document.getElementById('book-participant-new-name').value;",
            vec![],
        )
        .await;
        assert_eq!(
            typed,
            json!(name),
            "the new participant takes the name typed"
        );
        click(c, &test_id("add-new-participant")).await;
        wait_text(c, &test_id("participant-chosen"), |t| t.contains(name)).await;
        select(c, "#book-item", item).await;
        type_into(c, "#book-quantity", "1").await;
        click(c, &test_id("book")).await;
        let said = wait_text(c, &test_id("book-status"), |t| {
            t.contains("Booked") && t.contains(&format!("for {name}:"))
        })
        .await;
        let charged = if name == "A" {
            "30,000.00"
        } else {
            "25,000.00"
        };
        assert!(
            said.contains("approved") && said.contains(&format!("charged {charged} USD")),
            "{said}"
        );
        if name == "C" {
            assert!(said.contains("minimum"), "{said}");
        }
        if name == "D" {
            assert!(said.contains("tier 1"), "{said}");
            assert!(said.contains("24,800.00"), "amounts grouped: {said}");
        }
        if name == "A" {
            desk.shot(c, "first-hour-booked-from-search").await;
        }
    }
    wait_text(c, &test_id("deal-level"), |t| t.contains("Tier 1")).await;
    let prices = text(c, &test_id("current-prices")).await;
    assert!(
        prices.contains("29,500.00") && prices.contains("24,800.00"),
        "{prices}"
    );
    // The toasts stack at the foot of the sidebar: they cover no data.
    let covering = js(
        c,
        "const side = document.querySelector('.sidebar').getBoundingClientRect();
         return [...document.querySelectorAll('[data-test=toast]')]
           .filter(t => t.getBoundingClientRect().right > side.right + 1).length;",
        vec![],
    )
    .await;
    assert_eq!(covering, json!(0), "a toast reaches over the content");
    desk.shot(c, "first-hour-tier-1").await;
    let (a, b) = (participant_id(desk, "A"), participant_id(desk, "B"));

    // Money: A owes 30,000.00; the payment is recorded in place, prefilled.
    go(c, "#/money").await;
    let row = wait_text(c, &test_id(&format!("owes-{a}-USD")), |t| {
        t.contains("30,000.00")
    })
    .await;
    assert!(row.contains("Record payment"), "{row}");
    click(c, &test_id(&format!("record-payment-{a}-USD"))).await;
    let amount = test_id(&format!("payment-amount-{a}-USD"));
    find(c, &amount).await;
    assert_eq!(
        js(
            c,
            "return document.querySelector(arguments[0]).value;",
            vec![json!(amount)]
        )
        .await,
        json!("30000.00")
    );
    desk.shot(c, "first-hour-record-payment").await;
    click(c, &test_id(&format!("confirm-payment-{a}-USD"))).await;
    wait_text(c, &test_id("money-status"), |t| {
        t.contains("Recorded a payment of 30,000.00 USD from A")
    })
    .await;
    assert_eq!(
        desk.cli("statement", json!({"participant_id": a, "currency": "USD"}))["balance"],
        "0.00"
    );

    // End the deal: settled at tier 1, the ended date instead of "Closes",
    // and no "Due 0.00" for B, who paid nothing.
    go(c, &format!("#/deals/{deal}")).await;
    click_until(c, &test_id("end-deal"), &test_id("confirm-end")).await;
    click(c, &test_id("confirm-end")).await;
    wait_text(c, &test_id("deal-status"), |t| {
        t.to_lowercase().contains("settled")
    })
    .await;
    let said = wait_text(c, &test_id("deal-confirmation"), |t| {
        t.contains("Deal ended")
    })
    .await;
    assert!(said.contains("tier 1"), "{said}");
    wait_text(c, &test_id("deal-ended"), |t| t.starts_with("Ended")).await;
    assert!(attrs(c, &test_id("deal-closes"), "data-test")
        .await
        .is_empty());
    let b_booking = desk
        .cli("list_bookings", json!({ "deal_id": deal }))
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["participant_id"] == b)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let line = wait_text(c, &test_id(&format!("settlement-line-{b_booking}")), |t| {
        t.contains("24,800.00")
    })
    .await;
    // B paid nothing: the line shows the price reduction, a dash where
    // settlement charges nothing more (not "0.00" under "Due"), and what B
    // still owes.
    assert!(
        line.contains("200.00")
            && line.contains('—')
            && line.trim_end().ends_with("owes 24,800.00"),
        "{line}"
    );
    let heads = texts(c, &format!("{} th", test_id("settlement-lines")))
        .await
        .join(" | ");
    assert!(!heads.contains("Due"), "{heads}");
    find(c, &test_id("settlement")).await;
    js(
        c,
        "document.querySelector('[data-test=settlement]').scrollIntoView();",
        vec![],
    )
    .await;
    desk.shot(c, "first-hour-settled").await;

    // Money both ways: B, C, D owe 24,800.00; you owe A 500.00, paid out in place.
    go(c, "#/money").await;
    wait_text(c, &test_id(&format!("owes-{b}-USD")), |t| {
        t.contains("24,800.00")
    })
    .await;
    let due = wait_text(c, &test_id(&format!("payout-{a}-USD")), |t| {
        t.contains("500.00")
    })
    .await;
    assert!(due.contains("Record payout"), "{due}");
    click(c, &test_id(&format!("record-payout-{a}-USD"))).await;
    let amount = test_id(&format!("payout-amount-{a}-USD"));
    find(c, &amount).await;
    assert_eq!(
        js(
            c,
            "return document.querySelector(arguments[0]).value;",
            vec![json!(amount)]
        )
        .await,
        json!("500.00")
    );
    desk.shot(c, "first-hour-money-both-ways").await;
    click(c, &test_id(&format!("confirm-payout-{a}-USD"))).await;
    wait_text(c, &test_id("money-status"), |t| {
        t.contains("Recorded a payout of 500.00 USD to A")
    })
    .await;
    let start = Instant::now();
    while !attrs(c, &test_id(&format!("payout-{a}-USD")), "data-test")
        .await
        .is_empty()
    {
        assert!(start.elapsed() < WAIT, "A is still listed as owed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        desk.cli("statement", json!({"participant_id": a, "currency": "USD"}))["balance"],
        "0.00"
    );
    desk.shot(c, "first-hour-money-paid-out").await;
}
