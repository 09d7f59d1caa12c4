using MicoPortal.Shared.Auth;
using Microsoft.AspNetCore.Identity;

namespace MicoPortal.Server.Auth;

/// <summary>
/// Creates the roles, and the first users: in Development the documented demo users; elsewhere an
/// admin only from configuration (<c>Bootstrap:AdminEmail</c>, <c>Bootstrap:AdminPassword</c>) or,
/// failing that, through a one-time secret written to an owner-only file in the data directory, never
/// to the log (<see cref="AdminBootstrap"/>).
/// No built-in password exists outside Development.
/// </summary>
public sealed class UserSeeder(IServiceProvider services, IHostEnvironment environment, IConfiguration configuration, AdminBootstrap bootstrap, ILogger<UserSeeder> logger) : IHostedService
{
    public const string DevelopmentPassword = "Dev-Passw0rd!";
    public const string DevelopmentAdmin = "admin@micoportal.local";
    public const string DevelopmentOperations = "ops@micoportal.local";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        foreach (var role in Policies.AllRoles)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        if (environment.IsDevelopment())
        {
            await EnsureUserAsync(users, DevelopmentAdmin, DevelopmentPassword, Roles.Admin);
            await EnsureUserAsync(users, DevelopmentOperations, DevelopmentPassword, Roles.Operations);
        }

        var email = configuration["Bootstrap:AdminEmail"];
        var password = configuration["Bootstrap:AdminPassword"];
        if (!string.IsNullOrWhiteSpace(email) && !string.IsNullOrWhiteSpace(password))
        {
            await EnsureUserAsync(users, email, password, Roles.Admin);
        }
        else if (!environment.IsDevelopment() && (await users.GetUsersInRoleAsync(Roles.Admin)).Count == 0)
        {
            var file = Path.Combine(Data.DataExtensions.DataDirectoryOf(configuration, environment), AdminBootstrap.FileName);
            bootstrap.Open(file);
            logger.LogWarning(
                "No admin exists. Create the first one with the one-time secret in {SecretFile} (readable by the portal's user only): " +
                "POST /api/v1/auth/bootstrap {{\"secret\":...,\"email\":...,\"password\":...}} (or set Bootstrap:AdminEmail and Bootstrap:AdminPassword and restart). " +
                "The secret works once and only until the next restart; the file is deleted when it is used.",
                file);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureUserAsync(UserManager<PortalUser> users, string email, string password, string role)
    {
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                logger.LogError("Could not create user {Email}: {Errors}", email, string.Join("; ", created.Errors.Select(e => e.Description)));
                return;
            }

            logger.LogInformation("Created user {Email} ({Role})", email, role);
        }

        if (!await users.IsInRoleAsync(user, role))
        {
            await users.AddToRoleAsync(user, role);
        }
    }
}
