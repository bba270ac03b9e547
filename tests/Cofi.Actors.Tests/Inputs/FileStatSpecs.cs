using System.Diagnostics;
using Cofi.Actors.Inputs;

namespace Cofi.Actors.Tests.Inputs;

public sealed class FileStatSpecs : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("cofi-stat-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    public static TheoryData<string> Probes => new() { "statx", "portable" };

    [Theory]
    [MemberData(nameof(Probes))]
    public void Should_give_the_size_of_a_regular_file(string probe)
    {
        var path = Path.Join(root, "a.wav");
        File.WriteAllBytes(path, new byte[123]);

        var stat = Stat(probe, path);

        stat.ShouldBe(new FileStat(FileKind.Regular, 123));
    }

    [Theory]
    [MemberData(nameof(Probes))]
    public void Should_follow_a_symbolic_link_to_the_file_it_names(string probe)
    {
        File.WriteAllBytes(Path.Join(root, "a.wav"), new byte[77]);
        var link = Path.Join(root, "link.wav");
        File.CreateSymbolicLink(link, "a.wav");

        var stat = Stat(probe, link);

        stat.ShouldBe(new FileStat(FileKind.Regular, 77));
    }

    [Theory]
    [MemberData(nameof(Probes))]
    public void Should_recognise_a_directory_directly_or_through_a_link(string probe)
    {
        Directory.CreateDirectory(Path.Join(root, "calls"));
        var link = Path.Join(root, "calls.wav");
        File.CreateSymbolicLink(link, "calls");

        var direct = Stat(probe, Path.Join(root, "calls"));
        var linked = Stat(probe, link);

        direct.Kind.ShouldBe(FileKind.Directory);
        linked.Kind.ShouldBe(FileKind.Directory);
    }

    [Theory]
    [MemberData(nameof(Probes))]
    public void Should_report_missing_paths_and_dangling_links_as_missing(string probe)
    {
        var link = Path.Join(root, "dangling.wav");
        File.CreateSymbolicLink(link, "gone.wav");

        var missing = Stat(probe, Path.Join(root, "nothing.wav"));
        var dangling = Stat(probe, link);
        var underFile = Stat(probe, Path.Join(link, "x.wav"));

        missing.Kind.ShouldBe(FileKind.Missing);
        dangling.Kind.ShouldBe(FileKind.Missing);
        underFile.Kind.ShouldBe(FileKind.Missing);
    }

    [Theory]
    [MemberData(nameof(Probes))]
    public void Should_report_a_symbolic_link_loop_as_unreadable_with_a_reason(string probe)
    {
        var link = Path.Join(root, "a.wav");
        File.CreateSymbolicLink(link, "b.wav");
        File.CreateSymbolicLink(Path.Join(root, "b.wav"), "a.wav");

        var stat = Stat(probe, link);

        stat.Kind.ShouldBe(FileKind.Unreadable);
        stat.Error.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Should_tell_a_fifo_from_an_empty_file_on_linux()
    {
        var fifo = Path.Join(root, "pipe.wav");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
        }

        var stat = FileStat.Of(fifo);

        stat.Kind.ShouldBe(FileKind.Special);
    }

    private static FileStat Stat(string probe, string path) =>
        probe == "statx" ? FileStat.Of(path) : FileStat.FromFileInfo(path);
}
