using System.Diagnostics;
using Cofi.Actors.Batches;
using Cofi.Actors.Files;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Pipeline;

/// <summary>Bad input never stops a batch: each bad entry fails at distribution with its reason and the rest go on.</summary>
public sealed class BadInputSpecs : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_fail_each_bad_manifest_entry_with_its_reason_and_finish_the_good_ones()
    {
        var audio = Path.Combine(_dir.Path, "audio");
        SampleBatch.Generate(audio, 3, 0);
        var odd = new[] { "with space.wav", "quote's \"double\".wav", "llamada-ñandú-电话.wav", "semi;colon&amp$(x)`y`|z*?.wav" };
        foreach (var name in odd) File.Copy(Path.Combine(audio, "call-00001.wav"), Path.Combine(audio, name));
        File.WriteAllBytes(Path.Combine(audio, "zero.wav"), []);
        File.WriteAllText(Path.Combine(audio, "notes.wav"), "<html>not audio</html>");
        File.WriteAllBytes(Path.Combine(audio, "short.wav"), "RIFF\0\0\0\0WAVEfmt "u8.ToArray());
        Directory.CreateDirectory(Path.Combine(audio, "folder.wav"));
        File.CreateSymbolicLink(Path.Combine(audio, "dangling.wav"), Path.Combine(audio, "gone.wav"));
        MakeFifo(Path.Combine(audio, "pipe.wav"));
        var manifest = _dir.File("batch.txt");
        await File.WriteAllLinesAsync(manifest, [
            "# today's calls", "audio/call-00001.wav", "", "audio/call-00002.wav", .. odd.Select(n => "audio/" + n),
            "audio/missing.wav", "audio/zero.wav", "audio/notes.wav", "audio/short.wav", "audio/folder.wav",
            "audio/dangling.wav", "audio/pipe.wav", "audio/call-00001.wav", Path.Combine(audio, "call-00003.wav"),
        ]);
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"));

        var finished = await host.RunAsync(manifest).WaitAsync(TimeSpan.FromMinutes(1));

        finished.Status.ShouldBe(BatchStatus.Completed);
        var distribution = (await host.Journal().StageRecordsAsync(finished.BatchId, "distribution")).Values.ToList();
        string? Reason(string name, int nth = 0) => distribution.Where(r => r.Name == name).ElementAt(nth).Reason;
        foreach (var name in odd.Append("call-00002.wav").Append("call-00003.wav")) Reason(name).ShouldBeNull($"{name} is a valid file");
        Reason("call-00001.wav").ShouldBeNull();
        Reason("call-00001.wav", 1).ShouldBe("duplicate file name, first listed on line 2");
        Reason("missing.wav")!.ShouldStartWith("file not found");
        Reason("zero.wav").ShouldBe("empty file (0 bytes)");
        Reason("notes.wav")!.ShouldStartWith("not a WAV, MP3 or FLAC file");
        Reason("short.wav")!.ShouldStartWith("truncated WAV header");
        Reason("folder.wav").ShouldBe("is a directory, not a file");
        Reason("dangling.wav")!.ShouldStartWith("cannot read: broken symbolic link");
        Reason("pipe.wav").ShouldBe("not a regular file");
        finished.Stages[0].Done.ShouldBe(odd.Length + 3);
        var entries = distribution.Count;
        finished.Stages.ShouldAllBe(s => s.Settled == entries);
        var final = (await host.Journal().StageRecordsAsync(finished.BatchId, "metadata")).Values;
        final.Count().ShouldBe(entries, "every entry, good or bad, gets its final row");
    }

    [Fact]
    public async Task Should_stop_a_batch_with_no_valid_file_with_a_clear_reason()
    {
        var input = Path.Combine(_dir.Path, "input");
        Directory.CreateDirectory(input);
        File.WriteAllBytes(Path.Combine(input, "a.wav"), []);
        File.WriteAllText(Path.Combine(input, "b.mp3"), "nope");
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"));

        var finished = await host.RunAsync(input);

        finished.Status.ShouldBe(BatchStatus.Failed);
        finished.Reason.ShouldBe("no valid input file: all 2 entries were rejected");
    }

    [Fact]
    public async Task Should_stop_a_batch_over_an_empty_folder()
    {
        var input = Path.Combine(_dir.Path, "empty");
        Directory.CreateDirectory(input);
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"));

        var finished = await host.RunAsync(input);

        (finished.Status, finished.Reason).ShouldBe((BatchStatus.Failed, $"no input files found in {input}"));
    }

    [Fact]
    public async Task Should_stop_a_batch_whose_input_vanished_naming_it()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"));

        var finished = await host.RunAsync(_dir.File("nowhere"));

        finished.Status.ShouldBe(BatchStatus.Failed);
        finished.Reason!.ShouldContain("nowhere");
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path])!;
        mkfifo.WaitForExit();
        mkfifo.ExitCode.ShouldBe(0);
    }

    public void Dispose() => _dir.Dispose();
}
