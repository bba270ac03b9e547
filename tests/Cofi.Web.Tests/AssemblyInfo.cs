// Each test runs a real Cofi with its web server (and some a real browser); two at once on two cores only slow both.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
