using System.Text;
using Cofi.Actors.Inputs;

namespace Cofi.Actors.Tests.Inputs;

/// <summary>
/// A scan confined to its input roots, over a hostile corpus: links out of the root, links to such links, a linked
/// folder, <c>..</c> and absolute paths in a manifest, a name with control characters, a link loop. Each fails alone
/// with its reason and nothing outside the root is opened; the files inside go on.
/// </summary>
public sealed class ConfinedScanSpecs : ScannerFolder
{
    /// <summary>Outside the root: a file whose bytes must never show up in an error.</summary>
    private const string Secret = "root:x:0:0:TOP-SECRET";

    private readonly string _inputs;
    private readonly string _outside;

    public ConfinedScanSpecs()
    {
        _inputs = Directory.CreateDirectory(Path.Join(root, "inputs")).FullName;
        _outside = Directory.CreateDirectory(Path.Join(root, "outside")).FullName;
        File.WriteAllText(Path.Join(_outside, "passwd"), Secret);
        File.WriteAllBytes(Path.Join(_outside, "call.wav"), WavBytes());
        File.WriteAllBytes(Path.Join(_outside, "other.wav"), WavBytes());
    }

    [Fact]
    public void Should_fail_each_entry_of_a_folder_that_leads_out_of_the_roots_and_keep_the_rest()
    {
        var folder = Directory.CreateDirectory(Path.Join(_inputs, "batch")).FullName;
        WriteWav("inputs/batch/good.wav");
        File.CreateSymbolicLink(Path.Join(folder, "passwd.wav"), Path.Join(_outside, "passwd"));
        File.CreateSymbolicLink(Path.Join(folder, "hop.wav"), Path.Join(folder, "passwd.wav"));
        File.CreateSymbolicLink(Path.Join(folder, "relative.wav"), "../../outside/call.wav");
        Directory.CreateSymbolicLink(Path.Join(folder, "elsewhere.wav"), _outside);
        File.CreateSymbolicLink(Path.Join(folder, "inside.wav"), Path.Join(folder, "good.wav"));
        File.CreateSymbolicLink(Path.Join(folder, "loop-a.wav"), Path.Join(folder, "loop-b.wav"));
        File.CreateSymbolicLink(Path.Join(folder, "loop-b.wav"), Path.Join(folder, "loop-a.wav"));
        File.WriteAllBytes(Path.Join(folder, "bell\u0007\u001b[2J.wav"), WavBytes());

        var files = InputScanner.Scan(folder, InputConfinement.For(folder, [_inputs])).ToDictionary(f => f.Name);

        files["good.wav"].IsValid.ShouldBeTrue();
        files["inside.wav"].IsValid.ShouldBeTrue("a link that stays inside the root is followed");
        foreach (var name in new[] { "passwd.wav", "hop.wav", "relative.wav", "loop-a.wav", "loop-b.wav" })
            files[name].Error.ShouldBe("refused: the file's real path (symbolic links followed) is outside the input roots; it was not opened", name);
        files["elsewhere.wav"].Error.ShouldStartWith("refused:");
        files["bell\u0007\u001b[2J.wav"].Error.ShouldBe("refused: the file name holds control characters");
        files.Values.ShouldAllBe(f => f.Error == null || !f.Error.Contains("TOP") && !f.Error.Contains(Hex("root")));
    }

    [Fact]
    public void Should_fail_each_manifest_line_that_leads_out_of_the_roots_and_keep_the_rest()
    {
        WriteWav("inputs/good.wav");
        Directory.CreateSymbolicLink(Path.Join(_inputs, "linked"), _outside);
        var manifest = WriteManifestAt("inputs/batch.txt",
            "good.wav",
            "../outside/call.wav",
            Path.Join(_outside, "passwd"),
            "linked/other.wav",
            "sub/../second.wav",
            "/etc/hostname");

        var files = InputScanner.Scan(manifest, InputConfinement.For(manifest, [_inputs])).ToList();

        files[0].IsValid.ShouldBeTrue();
        files[1].Error.ShouldBe("refused: line 2 has a '..' segment; it was not opened");
        files[2].Error.ShouldStartWith("refused: the file's real path");
        files[3].Error.ShouldStartWith("refused: the file's real path");
        files[4].Error.ShouldStartWith("refused: line 5 has a '..' segment");
        files[5].Error.ShouldStartWith("refused: the file's real path");
        files.ShouldAllBe(f => f.Error == null || !f.Error.Contains("TOP") && !f.Error.Contains(Hex("root")));
    }

    [Fact]
    public void Should_refuse_an_input_whose_folder_is_reached_through_a_link_out_of_the_roots()
    {
        Directory.CreateSymbolicLink(Path.Join(_inputs, "calls"), _outside);
        var input = Path.Join(_inputs, "calls");

        InputConfinement.For(input, [_inputs]).ShouldBeNull("the input's real path is outside: it is not a batch the roots hold");
        Should.Throw<InputUnavailableException>(() => InputScanner.Scan(input, InputConfinement.For(_inputs, [_inputs])).ToList())
            .Message.ShouldStartWith("input leads outside the input roots");
    }

    [Fact]
    public void Should_follow_every_link_on_the_way_to_a_real_path()
    {
        Directory.CreateSymbolicLink(Path.Join(root, "a"), _inputs);
        Directory.CreateSymbolicLink(Path.Join(_inputs, "b"), "../outside");
        File.CreateSymbolicLink(Path.Join(root, "loop"), Path.Join(root, "loop"));

        InputConfinement.RealPath(Path.Join(root, "a", "b", "call.wav")).ShouldBe(Path.Join(_outside, "call.wav"));
        InputConfinement.RealPath(Path.Join(root, "a", "missing", "x.wav")).ShouldBe(Path.Join(_inputs, "missing", "x.wav"));
        InputConfinement.RealPath(Path.Join(root, "loop")).ShouldBeNull();
    }

    [Fact]
    public void Should_not_confine_a_batch_whose_input_is_under_no_root()
    {
        InputConfinement.For(_outside, [_inputs]).ShouldBeNull();
        InputConfinement.For(_inputs, []).ShouldBeNull();
    }

    private static string Hex(string text) => Convert.ToHexString(Encoding.ASCII.GetBytes(text));
}
