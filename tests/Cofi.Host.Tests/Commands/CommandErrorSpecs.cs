using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

/// <summary>What an operator sees when the input, the configuration or the database is wrong.</summary>
public sealed class CommandErrorSpecs : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_exit_2_naming_a_missing_input()
    {
        var (code, _, stderr) = await CofiProcess.RunAsync(Timeout, "run", "--input", _dir.File("nope"), "--db", _dir.File("c.db"));

        code.ShouldBe(2);
        stderr.ShouldContain($"input not found: {_dir.File("nope")}");
    }

    [Fact]
    public async Task Should_exit_2_when_no_file_of_the_batch_is_valid()
    {
        var input = Path.Combine(_dir.Path, "in");
        Directory.CreateDirectory(input);
        await File.WriteAllTextAsync(Path.Combine(input, "a.wav"), "text");

        var (code, stdout, stderr) = await CofiProcess.RunAsync(Timeout, "run", "--input", input, "--db", _dir.File("c.db"), "--latency", "0");

        code.ShouldBe(2, stderr);
        stdout.ShouldContain("no valid input file: all 1 entries were rejected");
    }

    [Fact]
    public async Task Should_exit_3_naming_the_key_of_an_invalid_configuration()
    {
        var conf = _dir.File("bad.conf");
        await File.WriteAllTextAsync(conf, "cofi.pipeline.stage.stt.slots = 0");
        var input = Path.Combine(_dir.Path, "in");
        SampleBatch.Generate(input, 2, 0);

        var (code, _, stderr) = await CofiProcess.RunAsync(Timeout, "run", "--input", input, "--db", _dir.File("c.db"), "--config", conf);

        code.ShouldBe(3);
        stderr.ShouldContain("cofi.pipeline.stage.stt.slots");
        File.Exists(_dir.File("c.db")).ShouldBeFalse("nothing starts with a bad configuration");
    }

    [Fact]
    public async Task Should_refuse_a_second_process_on_the_same_database()
    {
        var input = Path.Combine(_dir.Path, "in");
        SampleBatch.Generate(input, 300, 0);
        var db = _dir.File("c.db");
        using var first = CofiProcess.Start("run", "--input", input, "--db", db, "--latency", "50");
        var lockFile = db + ".lock";
        while (!File.Exists(lockFile) || new FileInfo(lockFile).Length == 0) await Task.Delay(20);

        var (code, _, stderr) = await CofiProcess.RunAsync(Timeout, "run", "--input", input, "--db", db);

        code.ShouldBe(4);
        stderr.ShouldContain("another Cofi process is running batches on");
    }

    [Fact]
    public async Task Should_run_the_demo_and_print_the_summary()
    {
        var (code, stdout, stderr) = await CofiProcess.RunAsync(Timeout, "demo", "--files", "60", "--latency", "0");

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("batch 1: completed");
        stdout.ShouldContain("metadata");
        stdout.ShouldMatch(@"file-stages: 540 \([\d,]+ per second\)");
        stdout.ShouldContain("peak memory:");
        stdout.ShouldContain("failed files (3):");
    }

    [Fact]
    public async Task Should_show_batches_and_their_counts_in_status()
    {
        var input = Path.Combine(_dir.Path, "in");
        SampleBatch.Generate(input, 20, 1);
        var db = _dir.File("c.db");
        (await CofiProcess.RunAsync(Timeout, "run", "--input", input, "--db", db, "--latency", "0")).ExitCode.ShouldBe(0);

        var (code, stdout, stderr) = await CofiProcess.RunAsync(Timeout, "status", "--db", db);

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("completed");
        stdout.ShouldMatch(@"distribution\s+19\s+1\s+0");
        stdout.ShouldMatch(@"metadata\s+20\s+0\s+0");
    }

    public void Dispose() => _dir.Dispose();
}
