mod support;
use async_with::async_with;
use support::*;

async fn returns(log: &Log) -> Result<u32, ManagerError> {
    for i in 0..3 {
        async_with!(log.manager("a") => name {
            log.push(format!("body {name} {i}"));
            if i == 0 { continue; }
            if i == 1 { return Ok(7); }
        });
    }
    Ok(0)
}

#[test]
fn smoke() {
    on_both_runtimes(|log| async move {
        assert_eq!(returns(&log).await, Ok(7));
        assert_eq!(
            log.events(),
            vec![
                "enter a",
                "body a 0",
                "exit a completed",
                "exited a",
                "enter a",
                "body a 1",
                "exit a completed",
                "exited a"
            ]
        );
    });
}
