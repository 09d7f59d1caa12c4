using MicoPortal.Server.Audit;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace MicoPortal.Server.Auth;

public sealed record LoginRequest(string? Email, string? Password);

/// <summary>Sign-in for API clients and tests (docs/api.md section 6); the web pages use <c>/login</c>.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/auth").WithTags("Auth");
        // Limited by LoginThrottle, shared with the login page; the bootstrap by the middleware's policy.
        group.MapPost("/login", Login);
        group.MapPost("/logout", Logout);
        group.MapGet("/me", Me).RequireAuthorization(Policies.Operator);
        group.MapPost("/bootstrap", Bootstrap).RequireRateLimiting(Infrastructure.RateLimiting.Login);
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Login(LoginRequest? request, SignInManager<PortalUser> signIn, LoginThrottle throttle, HttpContext http)
    {
        if (throttle.TryAcquire(http, request?.Email) is { } wait)
        {
            return Infrastructure.RateLimiting.Refuse(http, wait);
        }

        if (string.IsNullOrWhiteSpace(request?.Email) || string.IsNullOrEmpty(request.Password))
        {
            return Problems.Of(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "Email and password are required.");
        }

        var result = await signIn.PasswordSignInAsync(request.Email, request.Password, isPersistent: false, lockoutOnFailure: true);
        if (!result.Succeeded)
        {
            throttle.CountFailure(request.Email);
        }

        return result.Succeeded
            ? TypedResults.NoContent()
            : Problems.Of(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized,
                result.IsLockedOut ? "The account is locked after repeated failures; try again later." : "The email or password is not correct.");
    }

    public static async Task<NoContent> Logout(SignInManager<PortalUser> signIn)
    {
        await signIn.SignOutAsync();
        return TypedResults.NoContent();
    }

    /// <summary>Creates the first admin with the one-time secret from the start-up log.</summary>
    public static async Task<Results<Created, ValidationProblem, ProblemHttpResult>> Bootstrap(
        BootstrapAdminRequest? request, AdminBootstrap bootstrap, UserManager<PortalUser> users, ILogger<AdminBootstrap> logger, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (!bootstrap.IsOpen || (await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0)
        {
            return Problems.Of(StatusCodes.Status409Conflict, ErrorCodes.BootstrapClosed, "The first admin exists already; sign in instead.");
        }

        if (string.IsNullOrWhiteSpace(request?.Email) || string.IsNullOrEmpty(request.Password))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["email"] = ["Email and password are required."] });
        }

        if (!bootstrap.TryUse(request.Secret))
        {
            return Problems.Of(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "The bootstrap secret is not valid.");
        }

        var email = request.Email.Trim();
        var user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true };
        var created = await users.CreateAsync(user, request.Password);
        if (!created.Succeeded)
        {
            bootstrap.Reopen(request.Secret!);
            return Problems.Validation(UsersApi.IdentityErrors(created));
        }

        await users.AddToRoleAsync(user, Roles.Admin);
        logger.LogWarning("The first admin {Email} was created with the bootstrap secret; the secret is spent.", email);
        await audit.RecordAsync(email, AuditActions.AdminBootstrapped, $"first admin {email} created with the bootstrap secret", cancellationToken);
        return TypedResults.Created();
    }

    public static Ok<CurrentUserDto> Me(HttpContext http) => TypedResults.Ok(new CurrentUserDto(
        http.User.Identity?.Name ?? "",
        [.. Policies.AllRoles.Where(http.User.IsInRole)]));
}
