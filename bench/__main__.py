"""Run every benchmark: `python -m bench` (or `make bench`)."""

from bench import (
    exit_latency,
    load,
    page_weight,
    portal_time,
    queue_time,
    read_commit_time,
    return_time,
    scale,
    server_time,
    staff_time,
    stats_time,
    submit_time,
    talk,
)

if __name__ == "__main__":
    page_weight.main()
    server_time.main()
    portal_time.main()
    queue_time.main()
    staff_time.main()
    read_commit_time.main()
    stats_time.main()
    submit_time.main()
    return_time.main()
    scale.main()
    exit_latency.main()
    load.main()
    talk.main()
