using System.Net;
using System.Net.Http.Headers;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;
using Cofi.Management;
using Cofi.Management.Security;

namespace Cofi.Host.Tests.Security;

/// <summary>The tokens file: <c>token add</c> writes a hash and prints the token once; <c>serve</c> takes it or stops at start.</summary>
public sealed class TokenFileSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly TempDirectory _dir = new("cofi-tokens");

    [Fact]
    public async Task Should_add_a_token_that_serve_then_takes_and_keep_only_its_hash()
    {
        var file = _dir.File("tokens");
        var (code, token, stderr) = await CofiProcess.RunAsync(Patience, "token", "add", "ops", "--role", "operator", "--file", file);
        code.ShouldBe(0, stderr);
        token = token.Trim();
        token.ShouldStartWith("cofi_");
        token.Length.ShouldBeGreaterThan(40);
        var text = await File.ReadAllTextAsync(file);
        text.ShouldNotContain(token);
        text.ShouldContain($"ops operator sha256:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)))}");
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        (await CofiProcess.RunAsync(Patience, "token", "add", "ops", "--role", "viewer", "--file", file)).ExitCode.ShouldBe(3);

        using var serve = CofiProcess.StartDll(CofiProcess.HostDll, new Dictionary<string, string> { ["COFI_TOKENS_FILE"] = file }, "serve", "--db", _dir.File("cofi.db"));
        using var client = new HttpClient { BaseAddress = new Uri(await serve.DashboardAddressAsync(Patience)) };
        (await client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.GetAsync("/api/batches")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await client.GetAsync("/api/batches")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Should_stop_serve_at_start_naming_the_variable_and_the_line_of_a_bad_token_file()
    {
        var file = _dir.File("tokens");
        await File.WriteAllTextAsync(file, $"# tokens\n{TokenEntry.For("a", Role.Viewer, "x").Line}\nb superuser sha256:{new string('0', 64)}\n");

        using var serve = CofiProcess.StartDll(CofiProcess.HostDll, new Dictionary<string, string> { ["COFI_TOKENS_FILE"] = file }, "serve", "--db", _dir.File("cofi.db"));

        (await serve.WaitForExitAsync(Patience)).ShouldBe(3, serve.Stderr);
        serve.Stderr.ShouldContain("COFI_TOKENS_FILE");
        serve.Stderr.ShouldContain($"{file} line 3: 'superuser' is not a role");
    }

    [Theory]
    [InlineData("ops operator", "expected NAME ROLE sha256:HEX")]
    [InlineData("ops operator sha256:abc", "64 hexadecimal digits")]
    [InlineData("ops operator md5:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "must be sha256:")]
    [InlineData("o\u0007ps viewer sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "is not a token name")]
    [InlineData("ops viewer sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nops admin sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdee", "line 2: the name 'ops' is given twice")]
    public void Should_refuse_a_bad_line_naming_it(string content, string says)
    {
        var file = _dir.File("tokens");
        File.WriteAllText(file, content);

        var refused = Should.Throw<ManagementConfigurationException>(() => TokenFile.Read(file));

        refused.Key.ShouldBe(TokenFile.Variable);
        refused.Message.ShouldContain(says);
    }

    [Fact]
    public void Should_find_a_token_by_its_hash_and_keep_COFI_API_TOKEN_as_an_operator()
    {
        var file = _dir.File("tokens");
        var viewer = TokenFile.Add(file, "wall", Role.Viewer);
        var environment = new Dictionary<string, string> { [TokenFile.Variable] = file, [AccessSettings.ApiTokenVariable] = "legacy" };

        var access = AccessSettings.FromEnvironment(environment.GetValueOrDefault);

        access.Find(viewer)!.ShouldSatisfyAllConditions(t => t.Name.ShouldBe("wall"), t => t.Role.ShouldBe(Role.Viewer));
        access.Find("legacy")!.ShouldSatisfyAllConditions(t => t.Name.ShouldBe(AccessSettings.ApiTokenName), t => t.Role.ShouldBe(Role.Operator));
        access.Find(viewer + "x").ShouldBeNull();
        access.Find("").ShouldBeNull();
    }

    public void Dispose() => _dir.Dispose();
}
