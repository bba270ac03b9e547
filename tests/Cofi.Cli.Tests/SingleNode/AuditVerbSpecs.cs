using Cofi.Cli.Tests.Support;

namespace Cofi.Cli.Tests.SingleNode;

/// <summary><c>cofi audit list</c>: the audit trail for an admin, refused to an operator with the role it needs.</summary>
[Collection(ServeCollection.Name)]
public sealed class AuditVerbSpecs(ServeFixture fixture)
{
    private readonly ServeNode _serve = fixture.Serve;

    [Fact]
    public async Task Should_list_the_audit_trail_newest_first_for_an_admin_only()
    {
        var batchId = await _serve.SubmitAsync(_serve.Samples("audited", 3), "--reason", "audit me");
        var admin = new Dictionary<string, string> { ["COFI_API_TOKEN"] = _serve.AdminToken };

        var json = await CofiCommand.RunAsync(admin, _serve.Address, "audit", "list", "--token", "api-token", "--action", "SubmitBatch", "--json");
        var table = await CofiCommand.RunAsync(admin, _serve.Address, "audit", "list", "--token", "api-token");
        var refused = await _serve.CofiAsync("audit", "list");

        json.ExitCode.ShouldBe(0, json.ToString());
        var newest = json.JsonLines[0];
        newest.GetProperty("reason").GetString().ShouldBe("audit me");
        newest.GetProperty("outcome").GetInt32().ShouldBe(201);
        newest.GetProperty("role").GetString().ShouldBe("operator");
        json.JsonLines.Select(l => l.GetProperty("id").GetInt64()).ShouldBeInOrder(SortDirection.Descending);
        table.ExitCode.ShouldBe(0, table.ToString());
        table.Stdout.ShouldContain("SubmitBatch");
        table.Stdout.ShouldContain("audit me");
        refused.ExitCode.ShouldBe(6, refused.ToString());
        refused.Stderr.ShouldContain("needs a token with the admin role");
        batchId.ShouldBeGreaterThan(0);
    }
}
