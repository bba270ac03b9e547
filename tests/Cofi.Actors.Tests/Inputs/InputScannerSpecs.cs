using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Cofi.Actors.Inputs;

namespace Cofi.Actors.Tests.Inputs;

/// <summary>Scanning a folder: order, paths, sizes, formats and the per-file errors of bad audio.</summary>
public sealed class InputScannerSpecs : ScannerFolder
{
    [Fact]
    public void Should_throw_input_unavailable_naming_the_path_when_the_input_is_missing()
    {
        var missing = Path.Join(root, "no-such-batch");

        var thrown = Should.Throw<InputUnavailableException>(() => InputScanner.Scan(missing));

        thrown.Message.ShouldBe($"input not found: {missing}");
        thrown.InputPath.ShouldBe(missing);
    }

    [Fact]
    public void Should_yield_nothing_for_an_empty_folder()
    {
        var files = InputScanner.Scan(root).ToList();

        files.ShouldBeEmpty();
    }

    [Fact]
    public void Should_list_folder_files_in_ordinal_name_order_with_ids_in_that_order()
    {
        string[] created = ["b.wav", "a10.wav", "B.wav", "a2.wav", "a.wav"];
        foreach (var name in created)
        {
            WriteWav(name);
        }

        var files = InputScanner.Scan(root).ToList();

        files.Select(f => f.Name).ShouldBe(["B.wav", "a.wav", "a10.wav", "a2.wav", "b.wav"]);
        files.Select(f => f.FileId).ShouldBe([0, 1, 2, 3, 4]);
    }

    [Fact]
    public void Should_give_each_folder_file_its_absolute_path_size_and_format()
    {
        WriteWav("a.wav");
        File.WriteAllBytes(Path.Join(root, "b.flac"), [.. "fLaC"u8, .. new byte[96]]);
        File.WriteAllBytes(Path.Join(root, "c.mp3"), [.. "ID3"u8, .. new byte[197]]);

        var files = InputScanner.Scan(root).ToList();

        files.ShouldBe(
        [
            new InputFile(0, "a.wav", Path.Join(root, "a.wav"), 4044, AudioFormat.Wav, null),
            new InputFile(1, "b.flac", Path.Join(root, "b.flac"), 100, AudioFormat.Flac, null),
            new InputFile(2, "c.mp3", Path.Join(root, "c.mp3"), 200, AudioFormat.Mp3, null),
        ]);
    }

    [Fact]
    public void Should_ignore_dot_files_and_ordinary_subfolders_of_a_folder()
    {
        WriteWav("call.wav");
        WriteWav(".hidden.wav");
        Directory.CreateDirectory(Path.Join(root, "notes"));
        Directory.CreateDirectory(Path.Join(root, ".cache.wav"));

        var files = InputScanner.Scan(root).ToList();

        files.Select(f => f.Name).ShouldBe(["call.wav"]);
    }

    [Theory]
    [InlineData("old.wav")]
    [InlineData("old.MP3")]
    [InlineData("old.Flac")]
    public void Should_report_a_subfolder_named_like_audio_as_a_directory(string name)
    {
        Directory.CreateDirectory(Path.Join(root, name));

        var file = InputScanner.Scan(root).Single();

        file.Name.ShouldBe(name);
        file.Error.ShouldBe("is a directory, not a file");
    }

    [Fact]
    public void Should_not_descend_into_subfolders()
    {
        Directory.CreateDirectory(Path.Join(root, "day2"));
        WriteWav(Path.Join("day2", "call.wav"));

        var files = InputScanner.Scan(root).ToList();

        files.ShouldBeEmpty();
    }

    [Fact]
    public void Should_report_a_zero_byte_file_as_empty()
    {
        File.WriteAllBytes(Path.Join(root, "silent.wav"), []);

        var file = InputScanner.Scan(root).Single();

        file.IsValid.ShouldBeFalse();
        file.Error.ShouldBe("empty file (0 bytes)");
        file.Format.ShouldBeNull();
    }

    [Fact]
    public void Should_report_a_file_that_is_not_audio_with_its_first_bytes()
    {
        File.WriteAllText(Path.Join(root, "error.wav"), "<html>502 Bad Gateway</html>");

        var file = InputScanner.Scan(root).Single();

        file.Error.ShouldBe("not a WAV, MP3 or FLAC file (starts with 3c 68 74 6d)");
        file.SizeBytes.ShouldBe(28);
    }

    [Fact]
    public void Should_report_a_truncated_wav_header()
    {
        File.WriteAllBytes(Path.Join(root, "cut.wav"), WavBytes().AsSpan(0, 20));

        var file = InputScanner.Scan(root).Single();

        file.Error.ShouldBe("truncated WAV header (20 bytes)");
    }

    [Fact]
    public void Should_report_a_wav_without_a_fmt_chunk()
    {
        var bytes = WavBytes();
        "JUNK"u8.CopyTo(bytes.AsSpan(12));
        File.WriteAllBytes(Path.Join(root, "odd.wav"), bytes);

        var file = InputScanner.Scan(root).Single();

        file.Error.ShouldBe("WAV without fmt chunk");
    }

    [Theory]
    [InlineData("call 1 from alice.wav")]
    [InlineData("it's \"urgent\".wav")]
    [InlineData("llamada-ñandú-电话.wav")]
    [InlineData("$HOME `id`; a & b | c * ? .wav")]
    [InlineData("-rf.wav")]
    public void Should_accept_files_with_unusual_names_in_a_folder(string name)
    {
        WriteWav(name);

        var file = InputScanner.Scan(root).Single();

        file.ShouldBe(new InputFile(0, name, Path.Join(root, name), 4044, AudioFormat.Wav, null));
    }

    [Fact]
    public void Should_mark_later_entries_with_an_already_listed_name_as_duplicates()
    {
        Directory.CreateDirectory(Path.Join(root, "monday"));
        Directory.CreateDirectory(Path.Join(root, "tuesday"));
        WriteWav(Path.Join("monday", "call.wav"));
        WriteWav(Path.Join("tuesday", "call.wav"));
        WriteWav("other.wav");
        var manifest = WriteManifest("# two days", "monday/call.wav", "other.wav", "tuesday/call.wav", Path.Join(root, "monday", "call.wav"));

        var files = InputScanner.Scan(manifest).ToList();

        files.Select(f => f.FileId).ShouldBe([0, 1, 2, 3]);
        files[0].IsValid.ShouldBeTrue();
        files[1].IsValid.ShouldBeTrue();
        files[2].Error.ShouldBe("duplicate file name, first listed on line 2");
        files[2].Path.ShouldBe(Path.Join(root, "tuesday", "call.wav"));
        files[3].Error.ShouldBe("duplicate file name, first listed on line 2");
    }

    [Fact]
    public async Task Should_keep_scanning_after_bad_files()
    {
        WriteWav("a.wav");
        File.WriteAllBytes(Path.Join(root, "b.wav"), []);
        MakeFifo("c.wav");
        File.CreateSymbolicLink(Path.Join(root, "d.wav"), "nowhere.wav");
        WriteWav("e.wav");

        var files = await ScanWithin(HangLimit, root);

        files.Select(f => (f.Name, f.IsValid)).ShouldBe([("a.wav", true), ("b.wav", false), ("c.wav", false), ("d.wav", false), ("e.wav", true)]);
    }

    [Fact]
    public void Should_examine_files_only_as_entries_are_enumerated()
    {
        var manifest = WriteManifest("late.wav");
        var files = InputScanner.Scan(manifest);
        WriteWav("late.wav");

        var file = files.Single();

        file.IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Should_throw_input_unavailable_when_describing_a_missing_input()
    {
        var missing = Path.Join(root, "nothing.txt");

        var thrown = Should.Throw<InputUnavailableException>(() => InputScanner.Describe(missing));

        thrown.Message.ShouldContain(missing);
    }
}
