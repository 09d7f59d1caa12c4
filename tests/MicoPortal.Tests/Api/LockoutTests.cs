using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Tests.Api;

public class LockoutTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_for_the_right_one()
    {
        var client = fixture.Factory.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = PortalClient.Operations, password = $"wrong-{i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        var right = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = PortalClient.Operations, password = PortalClient.Password });
        var other = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = PortalClient.Admin, password = PortalClient.Password });

        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        Assert.Contains("locked", (await right.ReadAsync<JsonElement>()).GetProperty("title").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NoContent, other.StatusCode);
    }
}
