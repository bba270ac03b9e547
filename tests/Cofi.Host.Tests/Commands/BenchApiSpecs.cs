using System.Text.RegularExpressions;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

/// <summary>The API benchmark as a real process, small: every request answered, with authentication off and on.</summary>
public sealed class BenchApiSpecs
{
    [Fact]
    public async Task Should_print_requests_per_second_with_authentication_off_and_on()
    {
        var (code, stdout, stderr) = await CofiProcess.RunAsync(TimeSpan.FromMinutes(3), "bench-api", "--requests", "300", "--clients", "4", "--runs", "1");

        code.ShouldBe(0, stdout + stderr);
        Regex.IsMatch(stdout, @"authentication off: [\d,]+ requests/s \([\d.]+ s, 0 failed\)").ShouldBeTrue(stdout);
        Regex.IsMatch(stdout, @"authentication on: [\d,]+ requests/s \([\d.]+ s, 0 failed\)").ShouldBeTrue(stdout);
        stdout.ShouldContain("median: off ");
    }

    [Fact]
    public async Task Should_exit_3_naming_the_option_for_no_clients()
    {
        var (code, _, stderr) = await CofiProcess.RunAsync(TimeSpan.FromMinutes(1), "bench-api", "--clients", "0");

        code.ShouldBe(3);
        stderr.ShouldContain("--clients");
    }
}
