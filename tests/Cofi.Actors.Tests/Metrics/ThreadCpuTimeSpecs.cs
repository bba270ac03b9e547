using System.Diagnostics;
using Cofi.Actors.Metrics;

namespace Cofi.Actors.Tests.Metrics;

public sealed class ThreadCpuTimeSpecs
{
    [Fact]
    public void Should_grow_while_the_thread_computes_and_not_while_it_sleeps()
    {
        var start = ThreadCpuTime.Now();
        var clock = Stopwatch.StartNew();
        var spins = 0L;
        while (ThreadCpuTime.Now() - start < TimeSpan.FromMilliseconds(100) && clock.Elapsed < TimeSpan.FromSeconds(30)) spins++;
        var computed = ThreadCpuTime.Now() - start;

        var beforeSleep = ThreadCpuTime.Now();
        Thread.Sleep(300);
        var slept = ThreadCpuTime.Now() - beforeSleep;

        computed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(100), $"{spins:N0} spins in {clock.Elapsed}");
        slept.ShouldBeLessThan(TimeSpan.FromMilliseconds(100));
    }
}
