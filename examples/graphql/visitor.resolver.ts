import { UseGuards } from '@nestjs/common';
import { Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CurrentSubscription, LogupGuard, type LogupSubscription } from 'nestjs-logup';

@ObjectType()
export class Visitor {
  @Field()
  idSubscription!: string;

  @Field(() => String, { nullable: true })
  plan?: string;
}

// The login happens on the REST callback route; resolvers find the visitor in the
// session. @CurrentSubscription() is @Subscription() without the name clash.
@Resolver(() => Visitor)
export class VisitorResolver {
  @Query(() => Visitor)
  @UseGuards(LogupGuard)
  async visitor(@CurrentSubscription() subscription: LogupSubscription): Promise<Visitor> {
    const { plan } = await subscription.getDb(['plan']);
    return { idSubscription: subscription.idSubscription, plan: plan === undefined ? undefined : String(plan) };
  }
}
