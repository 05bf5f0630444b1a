"""Members: sign-up and sign-in (the Cognito user pool), the profile, family members, delivery
addresses and notifications, on MembersTable. Imports no other role of distribution."""
