using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cofi.Management.Security;

/// <summary>
/// Reads the token from <c>Authorization: Bearer</c> or from the session cookie the dashboard signs in with, and
/// makes the caller the token's name with its role. With no tokens configured every caller is <see cref="OpenName"/>
/// with the admin role.
/// </summary>
public sealed class TokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessSettings access)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "cofi-token";
    public const string CookieName = "cofi_session";
    public const string OpenName = "open";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (access.IsOpen) return Task.FromResult(Success(OpenName, Role.Admin));
        var token = Presented(Request.Headers.Authorization.ToString()) ?? (Request.Cookies[CookieName] is { Length: > 0 } cookie ? cookie : null);
        if (token is null) return Task.FromResult(AuthenticateResult.NoResult());
        var found = access.Find(token);
        if (access.TokensFile?.TakeProblem() is { } problem)
        {
            // A node printing plain lines has no log provider: the operator still has to see it.
            if (Logger.IsEnabled(LogLevel.Error)) Logger.LogError("The tokens file changed but was not taken: {Problem}", problem);
            else Console.Error.WriteLine($"The tokens file changed but was not taken: {problem}");
        }
        return Task.FromResult(found is { } entry ? Success(entry.Name, entry.Role) : AuthenticateResult.Fail("unknown token"));
    }

    private static string? Presented(string header)
    {
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && header[prefix.Length..].Trim() is { Length: > 0 } token ? token : null;
    }

    private static AuthenticateResult Success(string name, Role role)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role.Name())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>The caller's role, or null when the request was not authenticated.</summary>
    public static Role? RoleOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.FindFirstValue(ClaimTypes.Role) is { } name && Roles.TryParse(name, out var role) ? role : null;
}
