using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cofi.Management.Security;

/// <summary>
/// 401 and 403 as problem details: 401 when no known token came (with <c>WWW-Authenticate: Bearer</c>), 403 naming
/// the role the endpoint needs and the role the token has. The 403's <c>requiredRole</c> lets a client say it too.
/// </summary>
public sealed class AccessRefusals : IAuthorizationMiddlewareResultHandler
{
    public const string RequiredRoleKey = "requiredRole";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Unauthorized(context.Request.Headers.Authorization.Count > 0 || context.Request.Cookies.ContainsKey(TokenAuthentication.CookieName))
                .ExecuteAsync(context);
            return;
        }
        if (authorizeResult.Forbidden)
        {
            var needed = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<RoleRequirement>().Select(r => r.Role).DefaultIfEmpty(Role.Admin).Max()
                ?? Role.Admin;
            await Forbidden(context.User, needed).ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    public static ProblemHttpResult Unauthorized(bool tokenSent) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "bearer token required",
            detail: tokenSent
                ? "the token sent is not a known token"
                : "send 'Authorization: Bearer <token>' (or sign in to the dashboard) with a token from COFI_TOKENS_FILE or COFI_API_TOKEN");

    private static ProblemHttpResult Forbidden(ClaimsPrincipal user, Role needed) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: $"the {needed.Name()} role is required",
            detail: $"this needs a token with the {needed.Name()} role; the token '{user.Identity?.Name}' has the {TokenAuthentication.RoleOf(user)?.Name()} role",
            extensions: new Dictionary<string, object?> { [RequiredRoleKey] = needed.Name() });
}
