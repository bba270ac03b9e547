using System.Net;
using System.Net.Http.Headers;
using Cofi.Actors.Tests.Support;
using Cofi.Management.Security;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Security;

/// <summary>
/// A running service reads COFI_TOKENS_FILE again when it changes: a token added with <c>token add</c> is let in, one
/// whose line is taken out is not, and a file spoiled by a bad line leaves the tokens as they were.
/// </summary>
public sealed class TokenFileReloadSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new("cofi-tokens");

    [Fact]
    public async Task Should_take_tokens_added_and_removed_while_the_service_runs_and_keep_them_when_the_file_goes_bad()
    {
        var file = _dir.File("tokens");
        var first = TokenFile.Add(file, "wall", Role.Viewer);
        var access = AccessSettings.FromEnvironment(new Dictionary<string, string> { [TokenFile.Variable] = file }.GetValueOrDefault);
        await using var web = await CofiWeb.StartAsync(access: access);
        (await StatusAsync(web, first)).ShouldBe(HttpStatusCode.OK);

        var added = TokenFile.Add(file, "ops", Role.Operator);
        await UntilAsync(web, added, HttpStatusCode.OK, "the added token let in");

        File.WriteAllLines(file, File.ReadAllLines(file).Where(l => !l.StartsWith("wall ")));
        await UntilAsync(web, first, HttpStatusCode.Unauthorized, "the removed token refused");
        (await StatusAsync(web, added)).ShouldBe(HttpStatusCode.OK);

        File.AppendAllText(file, "late operator not-a-hash\n");
        // The bad version is looked at within a second; past that the token read before still works (asked a few times a
        // second, within the rate limit).
        var until = DateTime.UtcNow + TokenFileWatch.CheckEvery * 3;
        while (DateTime.UtcNow < until)
        {
            (await StatusAsync(web, added)).ShouldBe(HttpStatusCode.OK);
            await Task.Delay(TokenFileWatch.CheckEvery / 5);
        }
    }

    [Fact]
    public async Task Should_keep_every_endpoint_closed_when_the_tokens_file_has_no_token()
    {
        var file = _dir.File("tokens");
        File.WriteAllText(file, "# no tokens yet\n");
        var access = AccessSettings.FromEnvironment(new Dictionary<string, string> { [TokenFile.Variable] = file }.GetValueOrDefault);
        await using var web = await CofiWeb.StartAsync(access: access);

        (await StatusAsync(web, null)).ShouldBe(HttpStatusCode.Unauthorized);
        var added = TokenFile.Add(file, "wall", Role.Viewer);
        await UntilAsync(web, added, HttpStatusCode.OK, "the first token let in");
    }

    private static async Task<HttpStatusCode> StatusAsync(CofiWeb web, string? token)
    {
        using var client = new HttpClient { BaseAddress = new Uri(web.Address) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.GetAsync("/api/batches")).StatusCode;
    }

    private static async Task UntilAsync(CofiWeb web, string token, HttpStatusCode expected, string what)
    {
        var until = DateTime.UtcNow + Patience;
        while (await StatusAsync(web, token) != expected)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"not within {Patience}: {what}");
            await Task.Delay(TokenFileWatch.CheckEvery / 5);
        }
    }

    public void Dispose() => _dir.Dispose();
}
