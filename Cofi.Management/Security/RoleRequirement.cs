using Microsoft.AspNetCore.Authorization;

namespace Cofi.Management.Security;

/// <summary>The caller's role is <see cref="Role"/> or one above it.</summary>
public sealed record RoleRequirement(Role Role) : IAuthorizationRequirement;

public sealed class RoleRequirementHandler : AuthorizationHandler<RoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        if (TokenAuthentication.RoleOf(context.User) is { } role && role >= requirement.Role) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
