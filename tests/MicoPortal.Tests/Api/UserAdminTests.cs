using System.Net;
using System.Net.Http.Json;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Tests.Api;

/// <summary>Admins manage the people who sign in; the portal never loses its last admin.</summary>
public class UserAdminTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string NewPassword = "Another-Passw0rd!";

    private async Task<HttpClient> AdminAsync() => (await fixture.Factory.SignInAsync(PortalClient.Admin)).Client;

    private async Task<HttpResponseMessage> SignInAsync(string email, string password)
    {
        var client = fixture.Factory.CreateClient();
        return await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
    }

    [Fact]
    public async Task An_admin_creates_an_operator_who_signs_in_then_promotes_and_deletes_them()
    {
        var admin = await AdminAsync();
        var email = $"op-{Guid.NewGuid():N}@example.com";
        var created = await admin.PostAsJsonAsync("/api/v1/admin/users", new CreateUserRequest(email, NewPassword, "operations"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var user = await created.ReadAsync<PortalUserDto>();
        Assert.Equal(Roles.Operations, user.Role);
        Assert.Equal(HttpStatusCode.NoContent, (await SignInAsync(email, NewPassword)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/role", new ChangeUserRoleRequest(Roles.Admin))).StatusCode);
        var users = await (await admin.GetAsync("/api/v1/admin/users")).ReadAsync<List<PortalUserDto>>();
        Assert.Equal(Roles.Admin, Assert.Single(users, u => u.Id == user.Id).Role);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/admin/users/{user.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(email, NewPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/v1/admin/users/{user.Id}")).StatusCode);
    }

    [Fact]
    public async Task Weak_passwords_bad_emails_unknown_roles_and_duplicates_are_refused_with_problem_details()
    {
        var admin = await AdminAsync();
        var weak = await admin.PostAsJsonAsync("/api/v1/admin/users", new CreateUserRequest($"w-{Guid.NewGuid():N}@example.com", "short", Roles.Operations));
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Contains("\"password\"", await weak.Content.ReadAsStringAsync());

        var badEmail = await admin.PostAsJsonAsync("/api/v1/admin/users", new CreateUserRequest("not an email'; DROP TABLE AspNetUsers;--", NewPassword, "Root"));
        Assert.Equal(HttpStatusCode.BadRequest, badEmail.StatusCode);
        var body = await badEmail.Content.ReadAsStringAsync();
        Assert.Contains("\"email\"", body);
        Assert.Contains("\"role\"", body);
        Assert.Contains(ErrorCodes.Validation, body);

        var duplicate = await admin.PostAsJsonAsync("/api/v1/admin/users", new CreateUserRequest(PortalClient.Operations, NewPassword, Roles.Operations));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Contains(ErrorCodes.UserConflict, await duplicate.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_admin_cannot_demote_or_delete_themself()
    {
        var admin = await AdminAsync();
        var users = await (await admin.GetAsync("/api/v1/admin/users")).ReadAsync<List<PortalUserDto>>();
        var me = Assert.Single(users, u => u.Email == PortalClient.Admin);

        var demote = await admin.PutAsJsonAsync($"/api/v1/admin/users/{me.Id}/role", new ChangeUserRoleRequest(Roles.Operations));
        Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
        Assert.Contains(ErrorCodes.LastAdmin, await demote.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, (await admin.DeleteAsync($"/api/v1/admin/users/{me.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/admin/users")).StatusCode);
    }

    [Fact]
    public async Task An_admin_unlocks_a_locked_out_user()
    {
        var admin = await AdminAsync();
        var email = $"locked-{Guid.NewGuid():N}@example.com";
        var user = await (await admin.PostAsJsonAsync("/api/v1/admin/users", new CreateUserRequest(email, NewPassword, Roles.Operations))).ReadAsync<PortalUserDto>();
        for (var i = 0; i < 5; i++)
        {
            await SignInAsync(email, "wrong-password-123");
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(email, NewPassword)).StatusCode);
        var listed = (await (await admin.GetAsync("/api/v1/admin/users")).ReadAsync<List<PortalUserDto>>()).Single(u => u.Id == user.Id);
        Assert.NotNull(listed.LockedOutUntil);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/v1/admin/users/{user.Id}/unlock", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SignInAsync(email, NewPassword)).StatusCode);
    }
}
