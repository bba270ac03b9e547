// Each test drives real Cofi processes; two at once on a two-core machine would only slow both.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
