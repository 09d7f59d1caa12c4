using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace MicoPortal.Server.Auth;

public sealed record LoginRequest(string? Email, string? Password);

/// <summary>Sign-in for API clients and tests (CONTRACT.md section 6); the web pages use <c>/login</c>.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/auth").WithTags("Auth");
        group.MapPost("/login", Login).RequireRateLimiting(Infrastructure.RateLimiting.Login);
        group.MapPost("/logout", Logout);
        group.MapGet("/me", Me).RequireAuthorization(Policies.Operator);
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Login(LoginRequest? request, SignInManager<PortalUser> signIn)
    {
        if (string.IsNullOrWhiteSpace(request?.Email) || string.IsNullOrEmpty(request.Password))
        {
            return Problems.Of(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "Email and password are required.");
        }

        var result = await signIn.PasswordSignInAsync(request.Email, request.Password, isPersistent: false, lockoutOnFailure: true);
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

    public static Ok<CurrentUserDto> Me(HttpContext http) => TypedResults.Ok(new CurrentUserDto(
        http.User.Identity?.Name ?? "",
        [.. Policies.AllRoles.Where(http.User.IsInRole)]));
}
