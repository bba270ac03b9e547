// Actor-system tests share the machine's two cores; running their collections one at a time keeps timings honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
