import ArgumentParser
import RiskEngine

struct Liqwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liqwatch",
        abstract: "Watch leveraged perpetual-futures markets for liquidation deficits.",
        discussion: """
            liqwatch shows the order book, the warning signals of a coming deficit, every monitored \
            position's margin, liquidation and bankruptcy price, and the insurance fund. It never \
            places or changes an order.
            """,
        version: "liqwatch \(LiqwatchVersion.string)",
        subcommands: [DemoCommand.self, ReplayCommand.self, LiveCommand.self, MarginCommand.self, ConfigCommand.self],
        defaultSubcommand: DemoCommand.self
    )
}
