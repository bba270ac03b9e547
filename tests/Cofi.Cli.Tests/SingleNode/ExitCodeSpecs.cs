using Cofi.Cli.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Cli.Tests.SingleNode;

/// <summary>Wrong usage, an unknown batch, an unreachable node and a missing token: each its exit code and one line, never a stack trace.</summary>
[Collection(ServeCollection.Name)]
public sealed class ExitCodeSpecs(ServeFixture fixture)
{
    private readonly ServeNode _serve = fixture.Serve;

    [Theory]
    [InlineData(2, "batch bogus", "palette batch has no verb 'bogus'")]
    [InlineData(2, "batch show", "batch show: missing BATCHID")]
    [InlineData(2, "batch show seven", "batchId must be a whole number")]
    [InlineData(2, "batch tail 1 --type nonsense", "type must be one of")]
    [InlineData(2, "gpu drain n1 --wait soon", "is not a duration such as")]
    [InlineData(2, "bogus list", "has no palette 'bogus'")]
    [InlineData(3, "batch show 9999", "there is no batch 9999")]
    [InlineData(3, "file show 9999 a.wav", "there is no batch 9999")]
    [InlineData(4, "cluster leave", "not in a cluster")]
    [InlineData(4, "cluster join 10.0.0.9:4053", "not in a cluster")]
    [InlineData(4, "cluster down-unreachable --yes", "not in a cluster")]
    [InlineData(3, "gpu remove no-such-machine --yes", "the coordinator serves no such machine")]
    public async Task Should_exit_with_the_code_of_the_failure_and_one_line(int code, string line, string says)
    {
        var result = await _serve.CofiAsync(line.Split(' '));

        result.ExitCode.ShouldBe(code, result.ToString());
        ShouldBeOneLine(result, says);
    }

    [Fact]
    public async Task Should_exit_6_when_a_mutation_has_no_token()
    {
        var result = await CofiCommand.RunAsync(null, _serve.Address, "batch", "priority", "1", "5");

        result.ExitCode.ShouldBe(6, result.ToString());
        ShouldBeOneLine(result, "bearer token required");
    }

    [Fact]
    public async Task Should_exit_6_and_name_the_role_a_verb_needs_when_the_token_is_too_weak()
    {
        var viewer = new Dictionary<string, string> { ["COFI_API_TOKEN"] = _serve.ViewerToken };

        var list = await CofiCommand.RunAsync(viewer, _serve.Address, "batch", "list");
        var pause = await CofiCommand.RunAsync(viewer, _serve.Address, "batch", "pause", "1");

        list.ExitCode.ShouldBe(0, list.ToString());
        pause.ExitCode.ShouldBe(6, pause.ToString());
        ShouldBeOneLine(pause, "needs a token with the operator role; the token 'watcher' has the viewer role");
    }

    [Fact]
    public async Task Should_exit_5_when_the_node_cannot_be_reached()
    {
        var result = await CofiCommand.RunAsync(null, $"127.0.0.1:{FreePort.Next()}", "batch", "list");

        result.ExitCode.ShouldBe(5, result.ToString());
        ShouldBeOneLine(result, "cannot reach 127.0.0.1:");
    }

    [Fact]
    public async Task Should_exit_2_without_a_node_to_ask()
    {
        var result = await CofiCommand.RunAsync(null, "batch", "list");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("which node?");
    }

    [Fact]
    public async Task Should_take_the_node_from_COFI_ADDRESS_and_the_token_from_a_file()
    {
        var token = _serve.Dir.File("token");
        await File.WriteAllTextAsync(token, ServeNode.Token + "\n");
        var batchId = await _serve.SubmitAsync(_serve.Samples("address", 5));

        var result = await CofiCommand.RunAsync(new Dictionary<string, string> { ["COFI_ADDRESS"] = _serve.Address }, "batch", "priority", batchId.ToString(), "9", "--token-file", token);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("priority");
    }

    private static void ShouldBeOneLine(CofiCommand.Result result, string says)
    {
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, result.ToString());
        lines[0].ShouldStartWith("cofi: ");
        lines[0].ShouldContain(says);
        result.Stderr.ShouldNotContain("   at ");
    }
}
