//! A simulated GitHub REST API on top of the recording server, for `tailguard comment` (GitHub
//! itself is out of reach from the machines this is tested on). Repository `o/r`; pull request 7;
//! issue 8 is not a pull request. It keeps its comments in memory and can misbehave the way
//! GitHub does: a POST stored but answered too late, or stored and answered 502.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::recording::{Answer, Recording, Request};

/// The token every test uses.
pub const TOKEN: &str = "ghs_test_token_123";
/// The login of GITHUB_TOKEN's comments.
pub const ACTIONS_BOT: &str = "github-actions[bot]";

/// A comment on PR 7.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Id.
    pub id: u64,
    /// Login of the author.
    pub author: String,
    /// Markdown.
    pub body: String,
}

/// How to misbehave on one POST.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Store the comment, answer after this long.
    StoredLate(Duration),
    /// Store the comment, answer 502.
    Stored502,
    /// Store nothing, answer 502.
    Lost502,
}

/// The simulated repository.
#[derive(Debug)]
pub struct State {
    /// PR 7's comments, oldest first.
    pub comments: Vec<Comment>,
    /// PR 7's head commit.
    pub head_sha: String,
    /// PR 7's head repository (`None`: the fork was deleted).
    pub head_repo: Option<String>,
    /// `Some(login)`: a user token (`GET /user` works); `None`: an installation token.
    pub user: Option<String>,
    /// Faults of the next POSTs, in order.
    pub faults: VecDeque<Fault>,
    /// Answers to the next requests, whatever they ask (transient failures).
    pub canned: VecDeque<Answer>,
    /// The token may read but not write (a fork PR's GITHUB_TOKEN).
    pub read_only: bool,
}

impl State {
    /// PR 7 at `head_sha` from `o/r`, an installation token, and `others` comments by people.
    pub fn new(others: usize, head_sha: &str) -> Self {
        let comments = (0..others)
            .map(|i| Comment {
                id: i as u64 + 1,
                author: format!("user{i}"),
                body: format!("a comment by someone else #{i}"),
            })
            .collect();
        Self {
            comments,
            head_sha: head_sha.to_owned(),
            head_repo: Some("o/r".to_owned()),
            user: None,
            faults: VecDeque::new(),
            canned: VecDeque::new(),
            read_only: false,
        }
    }

    /// Who the token writes as.
    fn me(&self) -> String {
        self.user.clone().unwrap_or_else(|| ACTIONS_BOT.to_owned())
    }
}

/// The server and its state.
pub struct FakeGithub {
    /// The recording server (every request).
    pub server: Recording,
    /// The repository.
    pub state: Arc<Mutex<State>>,
}

impl FakeGithub {
    /// Start serving `state`.
    pub fn start(state: State) -> Self {
        let state = Arc::new(Mutex::new(state));
        let shared = state.clone();
        let server = Recording::start(move |req, _| answer(&mut shared.lock().unwrap(), req));
        Self { server, state }
    }

    /// PR 7's comments now.
    pub fn comments(&self) -> Vec<Comment> {
        self.state.lock().unwrap().comments.clone()
    }

    /// Requests with this method so far.
    pub fn count(&self, method: &str) -> usize {
        self.server
            .requests()
            .iter()
            .filter(|r| r.method == method)
            .count()
    }
}

fn json_answer(status: u16, value: &serde_json::Value) -> Answer {
    Answer::new(status, "application/json", value.to_string())
}

fn message(status: u16, text: &str) -> Answer {
    json_answer(status, &serde_json::json!({ "message": text }))
}

fn comment_json(c: &Comment) -> serde_json::Value {
    serde_json::json!({
        "id": c.id,
        "body": c.body,
        "user": { "login": c.author, "type": "User" },
        "html_url": format!("https://github.example/o/r/pull/7#issuecomment-{}", c.id),
    })
}

fn answer(state: &mut State, req: &Request) -> Answer {
    if req.headers.get("authorization").map(String::as_str) != Some(&format!("Bearer {TOKEN}")) {
        return message(401, "Bad credentials");
    }
    if let Some(a) = state.canned.pop_front() {
        return a;
    }
    if state.read_only && req.method != "GET" {
        return message(403, "Resource not accessible by integration");
    }
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/user") => match &state.user {
            Some(login) => json_answer(200, &serde_json::json!({ "login": login })),
            None => message(403, "Resource not accessible by integration"),
        },
        ("GET", "/repos/o/r/pulls/7") => {
            let repo = state
                .head_repo
                .as_ref()
                .map(|r| serde_json::json!({ "full_name": r }));
            let head = serde_json::json!({ "sha": state.head_sha, "repo": repo });
            json_answer(200, &serde_json::json!({ "number": 7, "head": head }))
        }
        ("GET", "/repos/o/r/issues/7/comments") => list(state, req),
        ("POST", "/repos/o/r/issues/7/comments") => create(state, req),
        ("PATCH", p) if p.starts_with("/repos/o/r/issues/comments/") => edit(state, req),
        _ => message(404, "Not Found"),
    }
}

fn list(state: &State, req: &Request) -> Answer {
    let per: usize = req.query.get("per_page").map_or(30, |v| v.parse().unwrap());
    let page: usize = req.query.get("page").map_or(1, |v| v.parse().unwrap());
    let items: Vec<serde_json::Value> = state
        .comments
        .iter()
        .skip((page - 1) * per)
        .take(per)
        .map(comment_json)
        .collect();
    let mut a = json_answer(200, &serde_json::Value::Array(items));
    if page * per < state.comments.len() {
        let base = format!("http://{}/repos/o/r/issues/7/comments", req.headers["host"]);
        a = a.header(
            "Link",
            format!(
                r#"<{base}?per_page={per}&page={}>; rel="next", <{base}?per_page={per}&page=99>; rel="last""#,
                page + 1
            ),
        );
    }
    a
}

fn body_of(req: &Request) -> String {
    let v: serde_json::Value = serde_json::from_str(&req.body).unwrap();
    v["body"].as_str().unwrap().to_owned()
}

fn create(state: &mut State, req: &Request) -> Answer {
    let fault = state.faults.pop_front();
    if let Some(Fault::Lost502) = fault {
        return Answer::new(502, "text/html", "<html>bad gateway</html>");
    }
    let c = Comment {
        id: 1000 + state.comments.len() as u64,
        author: state.me(),
        body: body_of(req),
    };
    state.comments.push(c.clone());
    match fault {
        Some(Fault::StoredLate(d)) => json_answer(201, &comment_json(&c)).delayed(d),
        Some(Fault::Stored502) => Answer::new(502, "text/html", "<html>bad gateway</html>"),
        _ => json_answer(201, &comment_json(&c)),
    }
}

fn edit(state: &mut State, req: &Request) -> Answer {
    let id: u64 = req.path.rsplit('/').next().unwrap().parse().unwrap();
    match state.comments.iter_mut().find(|c| c.id == id) {
        // A token with pull-requests: write may edit anyone's comment on GitHub; so may it
        // here, so a test sees whether tailguard ever asks to.
        Some(c) => {
            c.body = body_of(req);
            json_answer(200, &comment_json(c))
        }
        None => message(404, "Not Found"),
    }
}
