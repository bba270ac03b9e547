using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Cofi.Actors.Inputs;

namespace Cofi.Actors.Tests.Inputs;

/// <summary>Manifests: entry order, relative paths, encodings, duplicates, and how an input is described.</summary>
public sealed class ManifestScanSpecs : ScannerFolder
{
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
}
