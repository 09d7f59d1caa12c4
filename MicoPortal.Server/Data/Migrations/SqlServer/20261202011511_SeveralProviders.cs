using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MicoPortal.Server.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class SeveralProviders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "EventId",
                table: "ProcessedCallbacks",
                type: "nvarchar(192)",
                maxLength: 192,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "nvarchar(128)",
                oldMaxLength: 128);

            migrationBuilder.AddColumn<string>(
                name: "Provider",
                table: "Orders",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProvidersTried",
                table: "Orders",
                type: "nvarchar(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Provider",
                table: "OrderAttempts",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Provider",
                table: "Incidents",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ProviderBalanceSamples",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Provider = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    At = table.Column<long>(type: "bigint", nullable: false),
                    Balance = table.Column<decimal>(type: "decimal(18,4)", precision: 18, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderBalanceSamples", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ProviderStates",
                columns: table => new
                {
                    Name = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Paused = table.Column<bool>(type: "bit", nullable: false),
                    PauseReason = table.Column<string>(type: "nvarchar(300)", maxLength: 300, nullable: true),
                    PausedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    PausedAt = table.Column<long>(type: "bigint", nullable: true),
                    Balance = table.Column<decimal>(type: "decimal(18,4)", precision: 18, scale: 4, nullable: true),
                    Currency = table.Column<string>(type: "nvarchar(3)", maxLength: 3, nullable: true),
                    BalanceAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderStates", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ProviderBalanceSamples_Provider_At",
                table: "ProviderBalanceSamples",
                columns: new[] { "Provider", "At" });
        
            // Orders sent before there were several providers were sent to the one provider, now named default.
            migrationBuilder.Sql("""UPDATE [Orders] SET [Provider] = N'default' WHERE [CreateIssuedAt] IS NOT NULL OR [Status] <> N'Received'""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ProviderBalanceSamples");

            migrationBuilder.DropTable(
                name: "ProviderStates");

            migrationBuilder.DropColumn(
                name: "Provider",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "ProvidersTried",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "Provider",
                table: "OrderAttempts");

            migrationBuilder.DropColumn(
                name: "Provider",
                table: "Incidents");

            migrationBuilder.AlterColumn<string>(
                name: "EventId",
                table: "ProcessedCallbacks",
                type: "nvarchar(128)",
                maxLength: 128,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "nvarchar(192)",
                oldMaxLength: 192);
        }
    }
}
