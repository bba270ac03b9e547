using System.Text.RegularExpressions;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

/// <summary>The dashboard load benchmark as a real process, small: it runs both batches and prints its figures.</summary>
public sealed class BenchWebSpecs
{
    [Fact]
    public async Task Should_print_the_frame_delay_and_the_database_queries_caused_by_viewers()
    {
        var (code, stdout, stderr) = await CofiProcess.RunAsync(TimeSpan.FromMinutes(3), "bench-web", "--files", "40", "--viewers", "5", "--latency", "0");

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("viewers 0: batch");
        stdout.ShouldContain("viewers 5: batch");
        // 40 files at 9 stages, seen by each of the 5 viewers.
        stdout.ShouldContain("over 1,800 file-stages seen: p50");
        Regex.IsMatch(stdout, @"database commands [1-9][\d,]* of which SELECT").ShouldBeTrue(stdout);
        stdout.ShouldContain("database queries caused by viewers:");
    }

    [Fact]
    public async Task Should_exit_3_naming_the_option_for_no_viewers()
    {
        var (code, _, stderr) = await CofiProcess.RunAsync(TimeSpan.FromMinutes(1), "bench-web", "--viewers", "0");

        code.ShouldBe(3);
        stderr.ShouldContain("--viewers");
    }
}
