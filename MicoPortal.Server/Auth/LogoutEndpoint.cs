using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace MicoPortal.Server.Auth;

public static class LogoutEndpoint
{
    /// <summary>The dashboard's sign-out form posts here (antiforgery-checked), then lands on the login page.</summary>
    public static IEndpointRouteBuilder MapLogoutPage(this IEndpointRouteBuilder app)
    {
        app.MapPost("/logout", async ([FromForm] string? returnUrl, SignInManager<PortalUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/login");
        }).ExcludeFromDescription();
        return app;
    }
}
