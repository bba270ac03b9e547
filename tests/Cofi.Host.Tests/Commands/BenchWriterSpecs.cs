using System.Globalization;
using System.Text.RegularExpressions;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

/// <summary>The read-model writer's benchmark as a real process, small: a batch, the writer alone, the raw rate.</summary>
public sealed class BenchWriterSpecs
{
    [Fact]
    public async Task Should_print_the_writers_rate_beside_the_raw_insert_rate_of_the_same_table()
    {
        var (code, stdout, stderr) = await CofiProcess.RunAsync(TimeSpan.FromMinutes(3), "bench-writer", "--files", "40");

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("file-stages per second: ");
        stdout.ShouldContain("(360 file-stages)");
        stdout.ShouldContain("stage pauses (cofi_event_writer_pauses_total): 0");
        var rebuilt = Regex.Match(stdout, @"EventWriter alone \(.*?\): ([\d,]+) rows");
        rebuilt.Success.ShouldBeTrue(stdout);
        int.Parse(rebuilt.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture).ShouldBeGreaterThan(360, "log, attempts, distribution and results of every file");
        Regex.IsMatch(stdout, @"raw insert rate, same table, disk and run \([\d,]+ batchExecutionLog rows.*: [1-9][\d,]* rows per second with one prepared single-row INSERT.*, [1-9][\d,]* with 500-row INSERTs").ShouldBeTrue(stdout);
        Regex.IsMatch(stdout, @"EventWriter against the faster raw rate: [\d,]+ % alone, [\d,]+ % during the batch").ShouldBeTrue(stdout);
    }

    [Fact]
    public async Task Should_exit_3_naming_the_option_for_no_files()
    {
        var (code, _, stderr) = await CofiProcess.RunAsync(TimeSpan.FromMinutes(1), "bench-writer", "--files", "0");

        code.ShouldBe(3);
        stderr.ShouldContain("--files");
    }
}
