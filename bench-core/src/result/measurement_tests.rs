use super::*;
use crate::histogram::LatencyHistogram;

/// A measurement of `n` calls at `latency_us` each, `errors` of them failed, all in second 0,
/// as request `name`.
fn part(name: &str, latency_us: u64, n: u64, errors: u64) -> Measurement {
    let mut latency = LatencyHistogram::new();
    latency.record_us_n(latency_us, n);
    let mut service = LatencyHistogram::new();
    service.record_us_n(latency_us / 2, n);
    let histograms = Histograms {
        latency: latency.clone(),
        service_time: service,
        first_message: None,
    };
    let mut m = Measurement {
        summary: Summary {
            requests: n,
            errors,
            rps: n as f64,
            bytes: 10 * n,
            statuses: BTreeMap::from([("200".to_owned(), n - errors)]),
            ..Summary::default()
        },
        histograms: histograms.clone(),
        requests: vec![RequestResult {
            name: name.to_owned(),
            requests: n,
            errors,
            messages: 0,
            latency_us: Percentiles::default(),
            service_time_us: Percentiles::default(),
            first_message_us: None,
            histograms,
            journey: false,
        }],
        timeline: vec![TimelinePoint::from_histogram(0, &latency, n, errors, 10 * n).unwrap()],
    };
    m.summarise();
    m
}

#[test]
fn merging_then_summarising_equals_summarising_the_merged_histograms() {
    let (a, b) = (part("read", 1_000, 90, 1), part("read", 50_000, 10, 3));
    let mut merged = a.clone();
    merged.merge(&b, 0).unwrap();

    let mut histograms = a.histograms.clone();
    histograms.merge(&b.histograms);
    let s = &merged.summary;
    assert_eq!(s.latency_us, Percentiles::of(&histograms.latency));
    assert_eq!(s.service_time_us, Percentiles::of(&histograms.service_time));
    assert_eq!(merged.histograms, histograms);
    // The tail is b's, which neither part's own p99 shows.
    assert!(s.latency_us.p99 >= 49_000, "{}", s.latency_us.p99);
    assert!(a.summary.latency_us.p99 < 1_100);
    assert_eq!((s.requests, s.errors, s.bytes), (100, 4, 1_000));
    assert!((s.error_rate - 0.04).abs() < 1e-12);
    assert!(
        (s.rps - 100.0).abs() < 1e-12,
        "rates of parts alongside add"
    );
    assert_eq!(s.statuses["200"], 96);
    // The request of the mix is merged by name, and summarised the same way.
    assert_eq!(merged.requests.len(), 1);
    assert_eq!(merged.requests[0].latency_us, s.latency_us);
    assert_eq!(merged.requests[0].requests, 100);
}

#[test]
fn requests_merge_by_name_and_timelines_at_their_offsets() {
    let mut sum = MeasurementSum::default();
    sum.add(&part("read", 1_000, 10, 0), 0).unwrap();
    sum.add(&part("write", 2_000, 5, 0), 2).unwrap();
    sum.add(&part("read", 3_000, 10, 0), 2).unwrap();
    let (m, encoded) = sum.finish();
    encoded.unwrap();
    let names: Vec<(&str, u64)> = m
        .requests
        .iter()
        .map(|r| (r.name.as_str(), r.requests))
        .collect();
    assert_eq!(names, [("read", 20), ("write", 5)]);
    let seconds: Vec<(u64, u64)> = m.timeline.iter().map(|p| (p.second, p.requests)).collect();
    assert_eq!(seconds, [(0, 10), (2, 15)]);
    assert_eq!(m.summary.requests, 25);
}

#[test]
fn a_damaged_timeline_point_is_the_error_but_its_calls_still_count() {
    let mut a = part("read", 1_000, 10, 0);
    a.timeline[0].histogram = "not base64".into();
    let mut merged = part("read", 1_000, 10, 0);
    assert!(merged.merge(&a, 1).is_err());
    let seconds: Vec<(u64, u64)> = merged
        .timeline
        .iter()
        .map(|p| (p.second, p.requests))
        .collect();
    assert_eq!(seconds, [(0, 10), (1, 10)]);
    assert_eq!(merged.summary.requests, 20);
}
