using MicoPortal.Server.Audit;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Auth;

/// <summary>
/// Admins manage the people who sign in: create, change role, unlock, delete. Each person has one
/// role. The portal never loses its last admin, and nobody removes their own access by mistake.
/// </summary>
public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        group.MapGet("", List);
        group.MapPost("", Create);
        group.MapPut("/{id}/role", ChangeRole);
        group.MapPost("/{id}/unlock", Unlock);
        group.MapDelete("/{id}", Delete);
        return app;
    }

    public static async Task<Ok<List<PortalUserDto>>> List(UserManager<PortalUser> users, TimeProvider time, CancellationToken cancellationToken)
    {
        var all = await users.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(cancellationToken);
        var admins = (await users.GetUsersInRoleAsync(Roles.Admin)).Select(u => u.Id).ToHashSet();
        return TypedResults.Ok(all.Select(u => ToDto(u, admins.Contains(u.Id) ? Roles.Admin : Roles.Operations, time)).ToList());
    }

    public static async Task<Results<Created<PortalUserDto>, ValidationProblem, ProblemHttpResult>> Create(
        CreateUserRequest? request, UserManager<PortalUser> users, TimeProvider time, HttpContext http, ILogger<PortalUser> logger, AuditTrail audit)
    {
        var email = request?.Email?.Trim();
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(email) || email.Length > 256 || !System.Net.Mail.MailAddress.TryCreate(email, out _))
        {
            errors["email"] = ["A valid email address is required."];
        }

        if (RoleOf(request?.Role) is null)
        {
            errors["role"] = [$"Must be {Roles.Operations} or {Roles.Admin}."];
        }

        if (string.IsNullOrEmpty(request?.Password))
        {
            errors["password"] = ["A password is required."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await users.FindByEmailAsync(email!) is not null)
        {
            return Problems.Of(StatusCodes.Status409Conflict, ErrorCodes.UserConflict, $"A user with email '{email}' already exists.");
        }

        var user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true };
        var created = await users.CreateAsync(user, request!.Password!);
        if (!created.Succeeded)
        {
            return Problems.Validation(IdentityErrors(created));
        }

        var role = RoleOf(request.Role)!;
        await users.AddToRoleAsync(user, role);
        logger.LogInformation("{Actor} created user {Email} ({Role})", ActorName.Of(http), email, role);
        await audit.RecordAsync(ActorName.Of(http), AuditActions.UserCreated, $"created user {email} ({role})", http.RequestAborted);
        return TypedResults.Created($"/api/v1/admin/users/{user.Id}", ToDto(user, role, time));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangeRole(
        string id, ChangeUserRoleRequest? request, UserManager<PortalUser> users, HttpContext http, ILogger<PortalUser> logger, AuditTrail audit)
    {
        var role = RoleOf(request?.Role);
        if (role is null)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["role"] = [$"Must be {Roles.Operations} or {Roles.Admin}."] });
        }

        if (await users.FindByIdAsync(id) is not { } user)
        {
            return UserNotFound(id);
        }

        var isAdmin = await users.IsInRoleAsync(user, Roles.Admin);
        if (isAdmin && role != Roles.Admin && await LastAdminProblemAsync(users, user, http, "change the role of") is { } refused)
        {
            return refused;
        }

        foreach (var other in Policies.AllRoles.Where(r => r != role))
        {
            if (await users.IsInRoleAsync(user, other))
            {
                await users.RemoveFromRoleAsync(user, other);
            }
        }

        if (!await users.IsInRoleAsync(user, role))
        {
            await users.AddToRoleAsync(user, role);
        }

        // A new stamp makes the user's open sessions pick up the new role at their next validation.
        await users.UpdateSecurityStampAsync(user);
        logger.LogInformation("{Actor} set the role of {Email} to {Role}", ActorName.Of(http), user.Email, role);
        await audit.RecordAsync(ActorName.Of(http), AuditActions.UserRoleChanged, $"set the role of {user.Email} to {role}", http.RequestAborted);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Unlock(string id, UserManager<PortalUser> users, HttpContext http, ILogger<PortalUser> logger, AuditTrail audit)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return UserNotFound(id);
        }

        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        logger.LogInformation("{Actor} unlocked {Email}", ActorName.Of(http), user.Email);
        await audit.RecordAsync(ActorName.Of(http), AuditActions.UserUnlocked, $"unlocked {user.Email}", http.RequestAborted);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, UserManager<PortalUser> users, HttpContext http, ILogger<PortalUser> logger, AuditTrail audit)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return UserNotFound(id);
        }

        if (await users.IsInRoleAsync(user, Roles.Admin) && await LastAdminProblemAsync(users, user, http, "delete") is { } refused)
        {
            return refused;
        }

        await users.DeleteAsync(user);
        logger.LogInformation("{Actor} deleted user {Email}", ActorName.Of(http), user.Email);
        await audit.RecordAsync(ActorName.Of(http), AuditActions.UserDeleted, $"deleted user {user.Email}", http.RequestAborted);
        return TypedResults.NoContent();
    }

    /// <summary>Refuses to take admin rights from the caller themself or from the last admin.</summary>
    private static async Task<ProblemHttpResult?> LastAdminProblemAsync(UserManager<PortalUser> users, PortalUser user, HttpContext http, string action)
    {
        if (string.Equals(user.UserName, http.User.Identity?.Name, StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Of(StatusCodes.Status409Conflict, ErrorCodes.LastAdmin, $"You cannot {action} your own admin account.", "Ask another admin.");
        }

        return (await users.GetUsersInRoleAsync(Roles.Admin)).Count <= 1
            ? Problems.Of(StatusCodes.Status409Conflict, ErrorCodes.LastAdmin, $"Cannot {action} the last admin.", "Make another user Admin first.")
            : null;
    }

    private static string? RoleOf(string? role) =>
        Policies.AllRoles.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));

    private static PortalUserDto ToDto(PortalUser user, string role, TimeProvider time) => new(
        user.Id, user.Email ?? user.UserName ?? "", role,
        user.LockoutEnd is { } end && end > time.GetUtcNow() ? end : null,
        user.AccessFailedCount);

    private static ProblemHttpResult UserNotFound(string id) =>
        Problems.NotFound(ErrorCodes.UserNotFound, "The user");

    internal static Dictionary<string, string[]> IdentityErrors(IdentityResult result) => new Dictionary<string, string[]>
    {
        ["password"] = [.. result.Errors.Where(e => e.Code.StartsWith("Password", StringComparison.Ordinal)).Select(e => e.Description)],
        ["email"] = [.. result.Errors.Where(e => !e.Code.StartsWith("Password", StringComparison.Ordinal)).Select(e => e.Description)],
    }.Where(p => p.Value.Length > 0).ToDictionary();

}
