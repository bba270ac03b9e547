using Cofi.Cli.Tests.Support;

namespace Cofi.Cli.Tests.SingleNode;

/// <summary>
/// <c>cofi batch prune</c> against a service of its own (a prune reaches every ended batch): admins only, a dry run
/// shows the batches and rows without asking, the real one asks first (or takes --yes), and the batch is gone afterwards.
/// </summary>
public sealed class PruneVerbSpecs
{
    [Fact]
    public async Task Should_show_a_dry_run_and_prune_for_an_admin_who_said_yes_and_refuse_an_operator()
    {
        await using var serve = await ServeNode.StartAsync();
        var old = (await serve.SubmitAsync(serve.Samples("old", 4))).ToString();
        (await serve.CofiAsync("batch", "watch", old)).ExitCode.ShouldBe(0);
        var later = (await serve.SubmitAsync(serve.Samples("later", 3))).ToString();
        (await serve.CofiAsync("batch", "watch", later)).ExitCode.ShouldBe(0);
        var cutoff = (await serve.CofiAsync("batch", "show", later, "--json")).Json.GetProperty("batch").GetProperty("submittedAt").GetString()!;
        var admin = new Dictionary<string, string> { ["COFI_API_TOKEN"] = serve.AdminToken };

        var byOperator = await serve.CofiAsync("batch", "prune", "--older-than", "90d", "--yes");
        var dryRun = await CofiCommand.RunAsync(admin, serve.Address, "batch", "prune", "--ended-before", cutoff, "--dry-run");
        var unasked = await CofiCommand.RunAsync(admin, serve.Address, "batch", "prune", "--ended-before", cutoff);
        var pruned = await CofiCommand.RunAsync(admin, serve.Address, "batch", "prune", "--ended-before", cutoff, "--yes", "--reason", "retention");
        var gone = await serve.CofiAsync("batch", "show", old);
        var kept = await serve.CofiAsync("batch", "show", later);

        byOperator.ExitCode.ShouldBe(6, byOperator.ToString());
        byOperator.Stderr.ShouldContain("needs a token with the admin role");
        dryRun.ExitCode.ShouldBe(0, dryRun.ToString());
        dryRun.Stdout.ShouldContain("1 batch that ended before");
        dryRun.Stdout.ShouldContain("would be pruned");
        dryRun.Stdout.ShouldContain("rows to delete");
        dryRun.Stdout.ShouldContain("processing_logs");
        unasked.ExitCode.ShouldBe(2, "no terminal to ask on and no --yes");
        unasked.Stderr.ShouldContain("1 batch that ended before");
        unasked.Stderr.ShouldContain("add --yes");
        pruned.ExitCode.ShouldBe(0, pruned.ToString());
        pruned.Stdout.ShouldContain("1 batch that ended before");
        pruned.Stdout.ShouldContain(" pruned");
        pruned.Stdout.ShouldContain("rows deleted");
        serve.Process.Stdout.ShouldContain("(reason: retention)");
        gone.ExitCode.ShouldBe(3, gone.ToString());
        kept.ExitCode.ShouldBe(0, kept.ToString());
    }
}
