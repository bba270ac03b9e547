using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Cofi.Management.Audit;

namespace Cofi.Management.Security;

/// <summary>
/// Token authentication and one authorization policy per role. Every endpoint names the role it needs
/// (<see cref="RequireRole{TBuilder}"/>) or that it is open (<c>AllowAnonymous</c>); one that names neither needs a
/// viewer (the fallback policy).
/// </summary>
public static class AccessHosting
{
    public static string Policy(Role role) => role.Name();

    public static IServiceCollection AddCofiAccess(this IServiceCollection services)
    {
        services.AddAuthentication(TokenAuthentication.SchemeName).AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenAuthentication>(TokenAuthentication.SchemeName, null);
        services.AddAuthorization(options =>
        {
            foreach (var role in Enum.GetValues<Role>())
                options.AddPolicy(Policy(role), policy => policy.AddRequirements(new RoleRequirement(role)));
            options.FallbackPolicy = new AuthorizationPolicyBuilder().AddRequirements(new RoleRequirement(Role.Viewer)).Build();
        });
        services.AddSingleton<IAuthorizationHandler, RoleRequirementHandler>();
        services.TryAddSingleton<LogAuditTrail>();
        services.TryAddSingleton<IAuditTrail, ClusterAuditTrail>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddCofiRateLimits();
        services.AddOptions<KestrelServerOptions>().Configure<AccessSettings>((kestrel, access) => kestrel.Limits.MaxRequestBodySize = access.Limits.MaxBodyBytes);
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AccessRefusals>();
        return services;
    }

    /// <summary>
    /// After the static files (the dashboard's page loads without a token, so that one can sign in), before the
    /// endpoints: authentication, the audit of every mutation (refused ones included), the rate limits, authorization.
    /// </summary>
    public static IApplicationBuilder UseCofiAccess(this IApplicationBuilder app) =>
        app.UseAuthentication().UseMiddleware<AuditMiddleware>().UseRateLimiter().UseAuthorization();

    /// <summary>The endpoint needs <paramref name="role"/> or one above it; its OpenAPI description lists the 401 and 403 that say otherwise.</summary>
    public static TBuilder RequireRole<TBuilder>(this TBuilder endpoint, Role role) where TBuilder : IEndpointConventionBuilder =>
        endpoint.RequireAuthorization(Policy(role)).WithMetadata(
            new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), ["application/problem+json"]),
            new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(ProblemDetails), ["application/problem+json"]));
}
