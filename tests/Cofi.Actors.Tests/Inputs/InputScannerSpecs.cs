using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Cofi.Actors.Inputs;

namespace Cofi.Actors.Tests.Inputs;

public sealed class InputScannerSpecs : IDisposable
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(10);

    private readonly string root = Directory.CreateTempSubdirectory("cofi-inputs-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

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

    [Fact]
    public async Task Should_report_a_fifo_as_not_a_regular_file_without_blocking_on_it()
    {
        MakeFifo("stream.wav");

        var file = (await ScanWithin(HangLimit, root)).Single();

        file.Error.ShouldBe("not a regular file");
    }

    [Fact]
    public async Task Should_report_a_symbolic_link_to_a_fifo_as_not_a_regular_file()
    {
        MakeFifo(".pipe");
        File.CreateSymbolicLink(Path.Join(root, "linked.wav"), Path.Join(root, ".pipe"));

        var file = (await ScanWithin(HangLimit, root)).Single();

        file.Name.ShouldBe("linked.wav");
        file.Error.ShouldBe("not a regular file");
    }

    [Fact]
    public async Task Should_report_a_socket_as_not_a_regular_file()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Join(root, "live.wav")));

        var file = (await ScanWithin(HangLimit, root)).Single();

        file.Error.ShouldBe("not a regular file");
    }

    [Fact]
    public async Task Should_report_a_device_named_in_a_manifest_as_not_a_regular_file()
    {
        var manifest = WriteManifest("/dev/null");

        var file = (await ScanWithin(HangLimit, manifest)).Single();

        file.Name.ShouldBe("null");
        file.Error.ShouldBe("not a regular file");
    }

    [Fact]
    public void Should_report_a_dangling_symbolic_link_as_unreadable_naming_its_target()
    {
        File.CreateSymbolicLink(Path.Join(root, "moved.wav"), "archive/moved.wav");

        var file = InputScanner.Scan(root).Single();

        file.Error.ShouldBe($"cannot read: broken symbolic link to {Path.Join(root, "archive", "moved.wav")}");
    }

    [Fact]
    public void Should_report_a_symbolic_link_loop_as_unreadable()
    {
        File.CreateSymbolicLink(Path.Join(root, "a.wav"), "b.wav");
        File.CreateSymbolicLink(Path.Join(root, "b.wav"), "a.wav");

        var files = InputScanner.Scan(root).ToList();

        files.Count.ShouldBe(2);
        files.ShouldAllBe(f => f.Error != null && f.Error.StartsWith("cannot read: "));
    }

    [Fact]
    public void Should_accept_a_symbolic_link_to_a_valid_file_under_the_link_name()
    {
        Directory.CreateDirectory(Path.Join(root, "store"));
        WriteWav(Path.Join("store", "0001.wav"));
        var batch = Directory.CreateDirectory(Path.Join(root, "batch")).FullName;
        File.CreateSymbolicLink(Path.Join(batch, "call.wav"), Path.Join(root, "store", "0001.wav"));

        var file = InputScanner.Scan(batch).Single();

        file.ShouldBe(new InputFile(0, "call.wav", Path.Join(batch, "call.wav"), 4044, AudioFormat.Wav, null));
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

    [Theory]
    [InlineData("call 1 from alice.wav")]
    [InlineData("it's \"urgent\".wav")]
    [InlineData("llamada-ñandú-电话.wav")]
    [InlineData("$HOME `id`; a & b | c * ? .wav")]
    public void Should_accept_files_with_unusual_names_in_a_manifest(string name)
    {
        WriteWav(name);
        var manifest = WriteManifest(name);

        var file = InputScanner.Scan(manifest).Single();

        file.ShouldBe(new InputFile(0, name, Path.Join(root, name), 4044, AudioFormat.Wav, null));
    }

    [Fact]
    public void Should_read_manifest_entries_in_line_order_skipping_comments_and_blank_lines()
    {
        WriteWav("z.wav");
        WriteWav("a.wav");
        WriteWav("m.wav");
        var manifest = WriteManifest("# monday's calls", "z.wav", "", "   ", "  a.wav\t", "\t# m.wav is retried below", "m.wav");

        var files = InputScanner.Scan(manifest).ToList();

        files.Select(f => (f.FileId, f.Name)).ShouldBe([(0, "z.wav"), (1, "a.wav"), (2, "m.wav")]);
        files.ShouldAllBe(f => f.IsValid);
    }

    [Fact]
    public void Should_resolve_relative_manifest_paths_against_the_manifest_folder()
    {
        Directory.CreateDirectory(Path.Join(root, "audio"));
        WriteWav(Path.Join("audio", "a.wav"));
        Directory.CreateDirectory(Path.Join(root, "lists"));
        var manifest = WriteManifestAt(Path.Join("lists", "batch.txt"), "../audio/a.wav");

        var file = InputScanner.Scan(manifest).Single();

        file.Path.ShouldBe(Path.Join(root, "audio", "a.wav"));
        file.IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Should_accept_absolute_manifest_paths()
    {
        var elsewhere = Directory.CreateDirectory(Path.Join(root, "elsewhere")).FullName;
        WriteWav(Path.Join("elsewhere", "b.wav"));
        Directory.CreateDirectory(Path.Join(root, "lists"));
        var manifest = WriteManifestAt(Path.Join("lists", "batch.txt"), Path.Join(elsewhere, "b.wav"));

        var file = InputScanner.Scan(manifest).Single();

        file.ShouldBe(new InputFile(0, "b.wav", Path.Join(elsewhere, "b.wav"), 4044, AudioFormat.Wav, null));
    }

    [Fact]
    public void Should_read_a_manifest_with_a_byte_order_mark_and_windows_line_endings()
    {
        WriteWav("llamada-ñandú-电话.wav");
        WriteWav("b.wav");
        var manifest = Path.Join(root, "batch.txt");
        File.WriteAllText(manifest, "llamada-ñandú-电话.wav\r\nb.wav\r\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var files = InputScanner.Scan(manifest).ToList();

        files.Select(f => f.Name).ShouldBe(["llamada-ñandú-电话.wav", "b.wav"]);
        files.ShouldAllBe(f => f.IsValid);
    }

    [Fact]
    public void Should_report_a_manifest_entry_that_does_not_exist_with_its_path()
    {
        var manifest = WriteManifest("gone.wav");

        var file = InputScanner.Scan(manifest).Single();

        file.ShouldBe(new InputFile(0, "gone.wav", Path.Join(root, "gone.wav"), 0, null, $"file not found: {Path.Join(root, "gone.wav")}"));
    }

    [Fact]
    public void Should_report_manifest_entries_that_are_directories()
    {
        Directory.CreateDirectory(Path.Join(root, "calls"));
        Directory.CreateDirectory(Path.Join(root, "more"));
        var manifest = WriteManifest("calls", "more/");

        var files = InputScanner.Scan(manifest).ToList();

        files.Select(f => (f.Name, f.Error)).ShouldBe([("calls", "is a directory, not a file"), ("more", "is a directory, not a file")]);
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
    public void Should_throw_input_unavailable_for_a_binary_file_given_as_manifest()
    {
        var audio = WriteWav("call.wav");

        var thrown = Should.Throw<InputUnavailableException>(() => InputScanner.Scan(audio));

        thrown.Message.ShouldBe($"input is neither a folder nor a text manifest: {audio}");
    }

    [Fact]
    public void Should_throw_input_unavailable_for_a_manifest_that_is_not_utf8()
    {
        var manifest = Path.Join(root, "batch.txt");
        File.WriteAllBytes(manifest, [.. "a.wav\n"u8, 0xE9, .. "t\u00e9.wav\n"u8]);

        var thrown = Should.Throw<InputUnavailableException>(() => InputScanner.Scan(manifest).ToList());

        thrown.Message.ShouldBe($"manifest {manifest} is not UTF-8 text");
    }

    [Fact]
    public async Task Should_throw_input_unavailable_for_an_input_that_is_a_fifo()
    {
        var fifo = MakeFifo("batch.txt");

        var thrown = await Task.Run(() => Should.Throw<InputUnavailableException>(() => InputScanner.Scan(fifo))).WaitAsync(HangLimit);

        thrown.Message.ShouldBe($"input is not a folder or a regular file: {fifo}");
    }

    [Fact]
    public void Should_describe_a_folder_by_its_absolute_path()
    {
        var description = InputScanner.Describe(root);

        description.ShouldBe($"folder {root}");
    }

    [Fact]
    public void Should_describe_a_manifest_with_its_entry_count()
    {
        var manifest = WriteManifest("# header", "a.wav", "", "b.wav", "missing.wav");

        var description = InputScanner.Describe(manifest);

        description.ShouldBe($"manifest {manifest} (3 entries)");
    }

    [Theory]
    [InlineData("", "0 entries")]
    [InlineData("# nothing yet\n\n", "0 entries")]
    [InlineData("a.wav\n", "1 entry")]
    public void Should_describe_small_manifests_in_plain_words(string content, string expected)
    {
        var manifest = Path.Join(root, "batch.txt");
        File.WriteAllText(manifest, content);

        var description = InputScanner.Describe(manifest);

        description.ShouldBe($"manifest {manifest} ({expected})");
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing yet\n\n")]
    public void Should_yield_nothing_for_a_manifest_without_entries(string content)
    {
        var manifest = Path.Join(root, "batch.txt");
        File.WriteAllText(manifest, content);

        var files = InputScanner.Scan(manifest).ToList();

        files.ShouldBeEmpty();
    }

    [Fact]
    public void Should_name_a_folder_given_with_a_trailing_separator_without_it()
    {
        WriteWav("a.wav");

        var description = InputScanner.Describe(root + "/");
        var file = InputScanner.Scan(root + "/").Single();

        description.ShouldBe($"folder {root}");
        file.Path.ShouldBe($"{root}/a.wav");
    }

    [Fact]
    public void Should_throw_input_unavailable_when_describing_a_missing_input()
    {
        var missing = Path.Join(root, "nothing.txt");

        var thrown = Should.Throw<InputUnavailableException>(() => InputScanner.Describe(missing));

        thrown.Message.ShouldContain(missing);
    }

    private static byte[] WavBytes()
    {
        var bytes = new byte[4044];
        "RIFF"u8.CopyTo(bytes);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), bytes.Length - 8);
        "WAVEfmt "u8.CopyTo(bytes.AsSpan(8));
        BitConverter.TryWriteBytes(bytes.AsSpan(16), 16);
        "data"u8.CopyTo(bytes.AsSpan(36));
        return bytes;
    }

    // A scan that opens a FIFO never returns, so the wait is bounded and fails the test instead.
    private static Task<List<InputFile>> ScanWithin(TimeSpan limit, string input) =>
        Task.Run(() => InputScanner.Scan(input).ToList()).WaitAsync(limit);

    private string WriteWav(string relativePath)
    {
        var path = Path.Join(root, relativePath);
        File.WriteAllBytes(path, WavBytes());
        return path;
    }

    private string WriteManifest(params string[] lines) => WriteManifestAt("batch.txt", lines);

    private string WriteManifestAt(string relativePath, params string[] lines)
    {
        var path = Path.Join(root, relativePath);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    private string MakeFifo(string name)
    {
        var path = Path.Join(root, name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        mkfifo.ExitCode.ShouldBe(0);
        return path;
    }
}
