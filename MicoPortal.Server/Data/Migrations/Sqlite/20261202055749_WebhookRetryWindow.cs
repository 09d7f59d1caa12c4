using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MicoPortal.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WebhookRetryWindow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "RetryFrom",
                table: "WebhookDeliveries",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RetryFrom",
                table: "WebhookDeliveries");
        }
    }
}
