"""What the load generator (bench/run.py, without Django) and the preparation of a run
(bench/prepare.py) must agree on."""

# The description of every finding the finding-add interaction writes ("… {n}"): the next
# run's preparation removes them from today's drafts.
HARNESS_FINDING = "Restricted glide "
