using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Cofi.Actors.Inputs;

namespace Cofi.Actors.Tests.Inputs;

/// <summary>FIFOs, sockets, devices and symbolic links in the input: reported, never blocked on.</summary>
public sealed class SpecialFileScanSpecs : ScannerFolder
{
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

    [Fact]
    public async Task Should_throw_input_unavailable_for_an_input_that_is_a_fifo()
    {
        var fifo = MakeFifo("batch.txt");

        var thrown = await Task.Run(() => Should.Throw<InputUnavailableException>(() => InputScanner.Scan(fifo))).WaitAsync(HangLimit);

        thrown.Message.ShouldBe($"input is not a folder or a regular file: {fifo}");
    }
}
