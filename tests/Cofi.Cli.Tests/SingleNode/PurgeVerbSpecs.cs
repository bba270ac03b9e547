using Cofi.Cli.Tests.Support;

namespace Cofi.Cli.Tests.SingleNode;

/// <summary><c>cofi batch purge ID</c>: admins only, asks first (or takes --yes), and the batch is gone afterwards.</summary>
[Collection(ServeCollection.Name)]
public sealed class PurgeVerbSpecs(ServeFixture fixture)
{
    private readonly ServeNode _serve = fixture.Serve;

    [Fact]
    public async Task Should_purge_an_ended_batch_for_an_admin_who_said_yes_and_refuse_everyone_else()
    {
        var batchId = (await _serve.SubmitAsync(_serve.Samples("to-purge", 5))).ToString();
        (await _serve.CofiAsync("batch", "watch", batchId)).ExitCode.ShouldBe(0);
        var admin = new Dictionary<string, string> { ["COFI_API_TOKEN"] = _serve.AdminToken };

        var byOperator = await _serve.CofiAsync("batch", "purge", batchId, "--yes");
        var unasked = await CofiCommand.RunAsync(admin, _serve.Address, "batch", "purge", batchId);
        var purged = await CofiCommand.RunAsync(admin, _serve.Address, "batch", "purge", batchId, "--yes", "--reason", "caller asked", "--json");
        var show = await _serve.CofiAsync("batch", "show", batchId);
        var again = await CofiCommand.RunAsync(admin, _serve.Address, "batch", "purge", batchId, "--yes");

        byOperator.ExitCode.ShouldBe(6, byOperator.ToString());
        byOperator.Stderr.ShouldContain("needs a token with the admin role");
        unasked.ExitCode.ShouldBe(2, "no terminal to ask on and no --yes");
        unasked.Stderr.ShouldContain($"batch {batchId} 'to-purge' (completed) and all its data");
        unasked.Stderr.ShouldContain("add --yes");
        purged.ExitCode.ShouldBe(0, purged.ToString());
        purged.Json.GetProperty("batchId").GetInt64().ShouldBe(long.Parse(batchId));
        purged.Json.GetProperty("journalRows").GetInt64().ShouldBeGreaterThan(0);
        purged.Json.GetProperty("deleted").GetProperty("batchExecutionLog").GetInt64().ShouldBeGreaterThan(0);
        _serve.Process.Stdout.ShouldContain($"operator: batch {batchId} purged");
        _serve.Process.Stdout.ShouldContain("(reason: caller asked)");
        show.ExitCode.ShouldBe(3, show.ToString());
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Stdout.ShouldContain($"batch {batchId} purged");
        again.Stdout.ShouldContain("rows deleted");
    }
}
