using MicoPortal.Server.Data;
using MicoPortal.Shared.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace MicoPortal.Server.Auth;

public static class AuthExtensions
{
    /// <summary>The operators' sign-in cookie.</summary>
    public const string CookieName = "micoportal.auth";

    /// <summary>
    /// Identity with cookie sign-in for people (API calls answer 401/403 instead of redirecting), shops' API keys,
    /// the roles' policies and the seeded users.
    /// </summary>
    public static IServiceCollection AddPortalAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var authentication = services.AddAuthentication(o =>
        {
            o.DefaultScheme = IdentityConstants.ApplicationScheme;
            o.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
        });
        authentication.AddIdentityCookies();
        authentication.AddScheme<AuthenticationSchemeOptions, ShopApiKeyAuthenticationHandler>(ShopApiKeyAuthentication.Scheme, null);

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/login";
            o.LogoutPath = "/logout";
            o.AccessDeniedPath = "/access-denied";
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.Events.OnRedirectToLogin = context => Deny(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => Deny(context, StatusCodes.Status403Forbidden);
        });

        // Outside Development the cookie is Secure whatever the request's scheme: behind a TLS-terminating proxy
        // without forwarded headers the portal sees plain HTTP, and SameAsRequest would send the session in clear.
        // Development keeps SameAsRequest, for http://localhost.
        services.AddOptions<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IHostEnvironment>((o, environment) => o.Cookie.SecurePolicy =
                environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always);

        services.AddIdentityCore<PortalUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        // Role changes and deleted users reach open sessions within a minute (default: 30 minutes).
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Operator, p => p.RequireRole(Roles.Operations, Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            // The cookie first: on refusal it only sets the status, and the key's scheme writes the problem details.
            .AddPolicy(Policies.ShopWrite, p => p
                .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, ShopApiKeyAuthentication.Scheme)
                .RequireAssertion(c => ShopApiKeyAuthentication.IsShop(c.User)))
            .AddPolicy(Policies.ShopRead, p => p
                .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, ShopApiKeyAuthentication.Scheme)
                .RequireAssertion(c => ShopApiKeyAuthentication.IsShop(c.User) || c.User.IsInRole(Roles.Operations) || c.User.IsInRole(Roles.Admin)));
        services.AddCascadingAuthenticationState();
        services.AddOriginCheck();
        services.AddSingleton<LoginThrottle>();
        services.AddHostedService<UserSeeder>();
        services.AddSingleton<AdminBootstrap>();
        services.AddOptions<ShopApiKeyOptions>().Bind(configuration.GetSection(ShopApiKeyOptions.Section));
        services.AddSingleton<ShopApiKeyStore>();
        return services;
    }

    /// <summary>Browsers asking for pages go to the login page; API and hub calls get a status code.</summary>
    private static Task Deny(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (Infrastructure.MachinePaths.Contains(context.Request.Path))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
