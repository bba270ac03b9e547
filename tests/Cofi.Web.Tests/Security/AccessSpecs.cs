using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cofi.Management.Security;
using Cofi.Web.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cofi.Web.Tests.Security;

/// <summary>
/// Every endpoint the process serves, read from its EndpointDataSource, against every role: 401 without a token, 403
/// naming the role with a weaker one, through to the handler with the right one. An endpoint added without saying who
/// may call it fails here.
/// </summary>
public sealed partial class AccessSpecs
{
    /// <summary>The endpoints anyone may call: liveness, readiness and the dashboard's sign-in and sign-out.</summary>
    private static readonly string[] OpenEndpoints = ["GET /health", "GET /ready", "POST /api/session/", "DELETE /api/session/"];

    private static readonly (Role? Role, string? Token)[] Callers =
        [(null, null), (Role.Viewer, CofiWeb.ViewerToken), (Role.Operator, CofiWeb.Token), (Role.Admin, CofiWeb.AdminToken)];

    public sealed record Endpoint(string Method, string Pattern, Role? Needs, bool Declared)
    {
        public string Key => $"{Method} {Pattern}";

        /// <summary>The pattern with a value for each parameter: nothing by these names exists, so no call changes anything.</summary>
        public string Path => Parameter().Replace(Pattern, m => m.Groups[1].Value switch
        {
            "batchId" => "999999",
            "kind" => "batch",
            "documentName" => "v1",
            var other => $"no-such-{other}",
        });
    }

    [Fact]
    public async Task Should_ask_every_endpoint_for_its_role_and_answer_401_403_or_the_handler()
    {
        await using var web = await CofiWeb.StartAsync();
        var endpoints = Endpoints(web);
        endpoints.Count.ShouldBeGreaterThan(30);
        endpoints.Where(e => !e.Declared).Select(e => e.Key).ShouldBeEmpty("endpoints that name neither a role nor AllowAnonymous");
        endpoints.Where(e => e.Needs is null).Select(e => e.Key).Order().ShouldBe(OpenEndpoints.Order());
        endpoints.Where(e => e.Method != "GET" && e.Needs is not null).ShouldAllBe(e => e.Needs >= Role.Operator, "every mutation needs an operator");
        endpoints.ShouldContain(e => e.Key == "GET /api/stream" && e.Needs == Role.Viewer);
        endpoints.ShouldContain(e => e.Key == "GET /metrics" && e.Needs == Role.Viewer);
        endpoints.ShouldContain(e => e.Key == "DELETE /api/batches/{batchId:long}" && e.Needs == Role.Admin, "a purge deletes personal data for good");

        var wrong = new List<string>();
        foreach (var endpoint in endpoints.Where(e => e.Needs is not null))
            foreach (var (role, token) in Callers)
            {
                var (status, body) = await CallAsync(web, endpoint, token);
                var expected = role is null ? "401" : role < endpoint.Needs ? "403" : endpoint.Method == "GET" ? "the handler" : "400";
                var right = expected switch
                {
                    "401" => status == 401 && body.Contains("token required"),
                    "403" => status == 403 && body.Contains($"\"requiredRole\":\"{endpoint.Needs!.Value.Name()}\""),
                    "400" => status == 400 && body.Contains("unknown field"),
                    _ => status is not (401 or 403) and < 500,
                };
                if (!right) wrong.Add($"{endpoint.Key} as {role?.Name() ?? "nobody"}: expected {expected}, got {status} {body}");
            }
        wrong.ShouldBeEmpty();
    }

    [Fact]
    public async Task Should_sign_a_browser_in_with_an_HttpOnly_strict_cookie_that_opens_the_SSE_stream()
    {
        await using var web = await CofiWeb.StartAsync();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(web.Address) };

        (await browser.GetAsync("/api/session")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var wrong = await browser.PostAsJsonAsync("/api/session", new { token = "not-a-token" });
        await wrong.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        var signedIn = await browser.PostAsJsonAsync("/api/session", new { token = CofiWeb.ViewerToken });
        signedIn.StatusCode.ShouldBe(HttpStatusCode.OK, await signedIn.Content.ReadAsStringAsync());
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single();
        cookie.ShouldStartWith($"{TokenAuthentication.CookieName}=");
        cookie.ShouldContain("httponly", Case.Insensitive);
        cookie.ShouldContain("samesite=strict", Case.Insensitive);
        cookie.ShouldNotContain("expires", Case.Insensitive);
        cookie.ShouldNotContain("secure", Case.Insensitive);

        var session = await browser.GetFromJsonAsync<JsonElement>("/api/session");
        session.GetProperty("name").GetString().ShouldBe("dashboard");
        session.GetProperty("role").GetString().ShouldBe("viewer");
        await using (var stream = await SseClient.ConnectAsync(browser, "/api/stream"))
            (await stream.NextAsync()).ShouldNotBeNull();
        (await browser.PostAsync("/api/batches/1/pause", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        (await browser.DeleteAsync("/api/session")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await browser.GetAsync("/api/stream")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Should_refuse_an_unknown_token_and_never_a_malformed_header_with_more_than_401()
    {
        await using var web = await CofiWeb.StartAsync();

        foreach (var header in new[] { "Bearer not-the-token", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + CofiWeb.Token + "x", new string('a', 4000) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/batches");
            request.Headers.TryAddWithoutValidation("Authorization", header);
            var response = await web.Anonymous.SendAsync(request);
            await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
            response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        }
    }

    [Fact]
    public async Task Should_leave_every_endpoint_open_when_no_token_is_configured()
    {
        await using var web = await CofiWeb.StartAsync(token: null);

        (await web.Anonymous.GetAsync("/api/batches")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await web.Anonymous.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var session = await web.Anonymous.GetFromJsonAsync<JsonElement>("/api/session");
        session.GetProperty("open").GetBoolean().ShouldBeTrue();
        session.GetProperty("role").GetString().ShouldBe("admin");
        var submitted = await web.Anonymous.PostAsJsonAsync("/api/batches", new { input = web.Samples("open", 3) });
        submitted.StatusCode.ShouldBe(HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Should_leave_only_the_metrics_open_when_told_to()
    {
        var access = CofiWeb.Access(CofiWeb.Token) with { MetricsOpen = true };
        await using var web = await CofiWeb.StartAsync(access: access);

        (await web.Anonymous.GetStringAsync("/metrics")).ShouldContain("# TYPE");
        await (await web.Anonymous.GetAsync("/api/batches")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Should_serve_the_dashboard_page_without_a_token_so_that_one_can_sign_in()
    {
        await using var web = await CofiWeb.StartAsync();

        (await web.Anonymous.GetStringAsync("/")).ShouldContain("id=\"sign-in\"");
        (await web.Anonymous.GetAsync("/app.js")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static List<Endpoint> Endpoints(CofiWeb web) =>
        web.Runtime.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method =>
            {
                var open = e.Metadata.GetMetadata<IAllowAnonymous>() is not null;
                var roles = e.Metadata.GetOrderedMetadata<IAuthorizeData>()
                    .Select(a => Roles.TryParse(a.Policy ?? "", out var r) ? r : throw new InvalidOperationException($"{e.DisplayName}: policy '{a.Policy}' is no role"))
                    .ToList();
                return new Endpoint(method, "/" + e.RoutePattern.RawText!.TrimStart('/'), open ? null : roles.Count > 0 ? roles.Max() : Role.Viewer, open || roles.Count > 0);
            }))
            .ToList();

    private static async Task<(int Status, string Body)> CallAsync(CofiWeb web, Endpoint endpoint, string? token)
    {
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // A field no endpoint knows: a mutation that lets the caller through refuses the body and changes nothing.
        if (endpoint.Method != "GET") request.Content = new StringContent("""{"probe":1}""", Encoding.UTF8, "application/json");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await web.Anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        var streaming = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
        return ((int)response.StatusCode, streaming ? "(stream)" : await response.Content.ReadAsStringAsync(cancel.Token));
    }

    [GeneratedRegex(@"\{([A-Za-z]+)[^}]*\}")]
    private static partial Regex Parameter();
}
