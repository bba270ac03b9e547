using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using System.Security.Claims;

namespace Cofi.Management.Security;

/// <summary>
/// The dashboard's sign-in. A browser's EventSource cannot send a header, so <c>POST /api/session</c> checks a token
/// and keeps it in an HttpOnly, SameSite=Strict cookie for the browser session (Secure over HTTPS); the cookie then
/// authenticates exactly like the bearer header. <c>GET</c> says who is signed in, <c>DELETE</c> signs out.
/// </summary>
public static class SessionApi
{
    public sealed record SessionRequest(string? Token = null);

    public sealed record Session(string Name, string Role, bool Open);

    private static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string> { ["token"] = "a string" };

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/session").WithTags("session");
        group.MapPost("/", SignInAsync).WithName("SignIn").AllowAnonymous();
        group.MapGet("/", (ClaimsPrincipal user, AccessSettings access) => TypedResults.Ok(Of(user, access))).WithName("CurrentSession").RequireRole(Role.Viewer);
        group.MapDelete("/", (HttpContext http) =>
        {
            http.Response.Cookies.Delete(TokenAuthentication.CookieName, Options(http));
            return TypedResults.NoContent();
        }).WithName("SignOut").AllowAnonymous();
        return routes;
    }

    private static async Task<Results<Ok<Session>, ProblemHttpResult>> SignInAsync(HttpContext http, AccessSettings access)
    {
        var (body, problem) = await JsonBody.ReadAsync<SessionRequest>(http.Request, Fields);
        if (problem is not null) return problem;
        if (body!.Token is not { Length: > 0 } token) return Problems.Fields("token", "is required");
        if (access.IsOpen) return TypedResults.Ok(new Session(TokenAuthentication.OpenName, Role.Admin.Name(), true));
        if (access.Find(token) is not { } entry) return AccessRefusals.Unauthorized(tokenSent: true);
        http.Response.Cookies.Append(TokenAuthentication.CookieName, token, Options(http));
        return TypedResults.Ok(new Session(entry.Name, entry.Role.Name(), false));
    }

    // No expiry: the cookie lasts as long as the browser session.
    private static CookieOptions Options(HttpContext http) =>
        new() { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = "/" };

    private static Session Of(ClaimsPrincipal user, AccessSettings access) =>
        new(user.Identity!.Name!, TokenAuthentication.RoleOf(user)!.Value.Name(), access.IsOpen);
}
